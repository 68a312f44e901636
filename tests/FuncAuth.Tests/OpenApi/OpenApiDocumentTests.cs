using System.Net;
using System.Reflection;
using System.Text.Json;
using FuncAuth.Functions.Http;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FuncAuth.Tests.OpenApi;

/// <summary>
/// GET /api/openapi.json, the committed docs/openapi.json that must equal it, and the interactive reference.
/// To rewrite docs/openapi.json after changing an endpoint: <c>bash scripts/update-openapi.sh</c>.
/// </summary>
public sealed class OpenApiDocumentTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    public const string UpdateVariable = "FUNCAUTH_UPDATE_OPENAPI";
    private static readonly string CommittedPath = RepoPaths.Combine("docs", "openapi.json");

    [Fact]
    public async Task TheCommittedDocumentEqualsTheGeneratedOne()
    {
        var generated = await GeneratedAsync();

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, generated);
        }

        var committed = File.Exists(CommittedPath) ? (await File.ReadAllTextAsync(CommittedPath)).ReplaceLineEndings("\n") : "(missing)";
        Assert.True(
            committed == generated,
            "docs/openapi.json differs from what GET /api/openapi.json serves. If the change to the API is intended, regenerate it: "
            + $"`bash scripts/update-openapi.sh` (or run this test with {UpdateVariable}=1) and commit the file.");
    }

    [Fact]
    public async Task TheDocumentIsOpenApi31WithTheSecuritySchemes()
    {
        using var document = JsonDocument.Parse(await GeneratedAsync());
        var root = document.RootElement;
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");

        Assert.StartsWith("3.1.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal("JWT", schemes.GetProperty("bearer").GetProperty("bearerFormat").GetString());
        Assert.Equal("X-API-Key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        Assert.Equal("basic", schemes.GetProperty("clientBasic").GetProperty("scheme").GetString());
        Assert.False(root.TryGetProperty("servers", out _));

        Assert.Equal(["bearer"], SchemesOf(Operation(root, "/api/auth/sessions", "get")));
        Assert.Equal(["bearer", "apiKey"], SchemesOf(Operation(root, "/api/auth/me", "get")));
        Assert.Equal(["bearer"], SchemesOf(Operation(root, "/api/users/{userId}/roles", "put")));
        Assert.Equal(["", "clientBasic"], SchemesOf(Operation(root, "/oauth/token", "post")));
        Assert.False(Operation(root, "/api/auth/login", "post").TryGetProperty("security", out _));
        Assert.False(Operation(root, "/oauth/revoke", "post").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task EachProblemAnswerListsItsCodesAndEveryCodeOfTheRegistryAppears()
    {
        using var document = JsonDocument.Parse(await GeneratedAsync());
        var root = document.RootElement;
        var registry = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (ApiError)f.GetValue(null)!)
            .ToDictionary(e => e.Code, e => e.Status);

        Assert.Equal(["invalid_credentials"], CodesOf(Operation(root, "/api/auth/login", "post"), "401"));
        Assert.Equal(["validation_failed"], CodesOf(Operation(root, "/api/auth/login", "post"), "422"));
        Assert.Equal(["token_missing", "token_invalid", "token_expired", "token_revoked"], CodesOf(Operation(root, "/api/auth/sessions", "get"), "401"));
        Assert.Equal(["token_missing", "token_invalid", "token_expired", "token_revoked", "invalid_api_key"], CodesOf(Operation(root, "/api/auth/me", "get"), "401"));
        Assert.Equal(["forbidden"], CodesOf(Operation(root, "/api/users/{userId}", "get"), "403"));
        Assert.Equal(["last_admin"], CodesOf(Operation(root, "/api/users/{userId}/roles", "put"), "409"));
        Assert.Equal(["invalid_request", "unsupported_grant_type", "invalid_grant", "invalid_scope"], CodesOf(Operation(root, "/oauth/token", "post"), "400"));
        Assert.Equal(["invalid_client"], CodesOf(Operation(root, "/oauth/token", "post"), "401"));

        var listed = new HashSet<string>();
        foreach (var (path, method, operation) in Operations(root).Where(o => !o.Path.StartsWith("/oauth/", StringComparison.Ordinal)))
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Value.TryGetProperty("x-error-codes", out _)))
            {
                Assert.True(response.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path} {response.Name} is not Problem Details");
                foreach (var code in CodesOf(operation, response.Name))
                {
                    Assert.True(registry.TryGetValue(code, out var status), $"{method} {path} lists {code}, which is not in the error registry");
                    // The one code with a second status (docs/api.md): a wrong code at TOTP confirmation is a bad request, not a failed sign-in.
                    var expected = code == ErrorCodes.MfaCodeInvalid.Code && path == "/api/auth/mfa/totp/confirm" ? ErrorCodes.MfaCodeInvalidAtConfirm.Status : status;
                    Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Name);
                    Assert.Contains($"`{code}`", response.Value.GetProperty("description").GetString(), StringComparison.Ordinal);
                    listed.Add(code);
                }
            }
        }

        // 405 is an answer of the router for a known path with another method, not of any operation.
        Assert.Equal(registry.Keys.Where(c => c != "method_not_allowed").Order(), listed.Order());
    }

    [Fact]
    public async Task TheInteractiveReferenceIsServedInDevelopment()
    {
        using var client = azurite.App.CreateClient();

        using var page = await client.GetAsync("/api/docs");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        // The page loads the document from the app's own route, and its script from the app (no CDN).
        Assert.Contains("\"url\":\"api/openapi.json\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await client.GetAsync("/api/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task OutsideDevelopmentTheDocumentIsServedAndTheInteractiveReferenceIsNot()
    {
        await using var vault = await KeyVaultStandIn.StartAsync();
        vault.AddSecretVersion("jwt-signing-key", TestKeys.NewPem());
        await using var app = await FuncAuthApp.StartAsync(
            azurite, new Dictionary<string, string?> { ["KeyVault__Uri"] = vault.VaultUri.ToString() }, keyVault: vault, waitUntilHealthy: false);
        using var production = app.WithWebHostBuilder(b => b.UseEnvironment("Production"));
        using var client = production.CreateClient();

        using var reference = await client.GetAsync("/api/docs");
        using var document = await client.GetAsync("/api/openapi.json");

        Assert.Equal(HttpStatusCode.NotFound, reference.StatusCode);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    /// <summary>The document as served, with the line endings and final newline it is committed with.</summary>
    private async Task<string> GeneratedAsync()
    {
        using var client = azurite.App.CreateClient();
        using var response = await client.GetAsync("/api/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadAsStringAsync()).ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
    }

    internal static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement root) =>
        root.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(m => (p.Name, m.Name, m.Value)));

    private static JsonElement Operation(JsonElement root, string path, string method) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static string[] CodesOf(JsonElement operation, string status) =>
        operation.GetProperty("responses").GetProperty(status).GetProperty("x-error-codes").EnumerateArray().Select(c => c.GetString()!).ToArray();

    /// <summary>The alternatives of the operation's security, one scheme name each ("" for "none needed").</summary>
    private static string[] SchemesOf(JsonElement operation) =>
        operation.GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Select(p => p.Name).SingleOrDefault() ?? "").ToArray();
}
