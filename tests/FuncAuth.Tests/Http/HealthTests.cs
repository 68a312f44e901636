using System.Net;
using System.Text.Json;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>GET /api/health: which dependency is down, in a fixed shape, and nothing more.</summary>
public sealed class HealthTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task AHealthyAppReportsEveryCheckHealthy()
    {
        using var response = await azurite.App.CreateClient().GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertShape(await response.ReadJsonAsync(), "healthy", storage: "healthy", signingKey: "healthy");
    }

    [Fact]
    public async Task UnreachableStorageIsReportedAs503WithoutDetails()
    {
        var closedPort = LoopbackPorts.FreePort();
        await using var app = await FuncAuthApp.StartAsync(
            azurite,
            new Dictionary<string, string?> { ["Storage__ConnectionString"] = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{closedPort}/", StringComparison.Ordinal) },
            waitUntilHealthy: false);

        using var response = await app.CreateClient().GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        AssertShape(JsonDocument.Parse(text).RootElement, "unhealthy", storage: "unhealthy", signingKey: "healthy");
        Assert.DoesNotContain(closedPort.ToString(), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnavailableKeyVaultIsReportedAs503WithoutDetails()
    {
        await using var vault = await KeyVaultStandIn.StartAsync();
        // A usable key exists: only the outage keeps the app from it.
        vault.AddSecretVersion("jwt-signing-key", Convert.ToBase64String(new byte[32]));
        vault.Unavailable = true;
        await using var app = await FuncAuthApp.StartAsync(
            azurite,
            new Dictionary<string, string?> { ["KeyVault__Uri"] = vault.VaultUri.ToString() },
            keyVault: vault,
            waitUntilHealthy: false);

        // Storage comes up in the background; wait for it, so only the key is missing.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement body;
        using var client = app.CreateClient();
        do
        {
            using var response = await client.GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            body = await response.ReadJsonAsync();
        }
        while (body.GetProperty("checks").GetProperty("storage").GetString() != "healthy" && DateTime.UtcNow < deadline);

        AssertShape(body, "unhealthy", storage: "healthy", signingKey: "unhealthy");
        Assert.DoesNotContain(vault.VaultUri.Authority, body.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Exactly these keys and values: no versions, names, timings or error messages.</summary>
    private static void AssertShape(JsonElement body, string status, string storage, string signingKey)
    {
        Assert.Equal(["checks", "status"], body.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(status, body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal(["signingKey", "storage"], checks.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(storage, checks.GetProperty("storage").GetString());
        Assert.Equal(signingKey, checks.GetProperty("signingKey").GetString());
    }
}
