using System.Net;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Telemetry;

/// <summary>
/// The app as it runs in Azure (Production, Key Vault, no log settings): a successful request writes no line of its
/// own, and the auth events are written with their ids and levels. Every record that reaches a logging provider
/// counts, because under the Functions host each one becomes a billed trace in Application Insights.
/// </summary>
public sealed class DefaultLoggingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string SecretName = "jwt-signing-key";
    private const string Accounts = "FuncAuth.Core.Sessions.AccountService";
    private const string Sessions = "FuncAuth.Core.Sessions.SessionService";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private KeyVaultStandIn _vault = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultStandIn.StartAsync();
        _vault.Clock = _time;
        _vault.AddSecretVersion(SecretName, TestKeys.NewPem());
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task SuccessfulRequestsAtTheDefaultLevelWriteNothingButTheirAuthEvents()
    {
        await using var app = await StartAsync();
        var client = app.CreateClient();
        app.Logs.Clear();

        var signup = await client.SignupAsync();
        var login = await client.LoginAsync(signup.Email);
        using var refresh = await client.RefreshAsync(login.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var refreshed = await Tokens.ReadAsync(refresh);
        foreach (var path in new[] { "/api/auth/me", "/api/health", "/.well-known/jwks.json", "/.well-known/openid-configuration" })
        {
            using var response = await client.GetAsync(path, refreshed.AccessToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var logout = await client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/logout", refreshed.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        var records = app.Logs.GetSnapshot();
        // Nine successful requests, four auth events (signup, login, refresh, logout), and not one other line.
        Assert.True(
            records.Select(r => (r.Category, r.Id.Id)).SequenceEqual([(Accounts, 1001), (Accounts, 1010), (Sessions, 1020), (Sessions, 1030)]),
            "Lines written at the default level:\n" + string.Join('\n', records.Select(r => $"{r.Level} {r.Category}[{r.Id.Id}] {r.Message}")));
    }

    [Fact]
    public async Task AuthEventsKeepTheirIdsAndLevelsAtTheDefaultLevelAndCarryNoSecret()
    {
        await using var app = await StartAsync();
        var client = app.CreateClient();
        const string wrongPassword = "certainly not the password";
        var signup = await client.SignupAsync();
        using (var failed = await client.PostJsonAsync("/api/auth/login", new { email = signup.Email, password = wrongPassword }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        var login = await client.LoginAsync(signup.Email);
        using var first = await client.RefreshAsync(login.RefreshToken);
        var rotated = await Tokens.ReadAsync(first);
        // Within the reuse interval: answered with the current tokens.
        using (var grace = await client.RefreshAsync(login.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.OK, grace.StatusCode);
        }

        // Past it: theft, the session ends.
        _time.Advance(TimeSpan.FromSeconds(11));
        using (var reused = await client.RefreshAsync(login.RefreshToken))
        {
            await Problem.AssertAsync(reused, HttpStatusCode.Unauthorized, "refresh_token_reused");
        }

        using (var logout = await client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/logout", signup.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        var records = app.Logs.GetSnapshot();
        var events = records.Where(r => r.Category?.StartsWith("FuncAuth.", StringComparison.Ordinal) == true).Select(r => (r.Id.Id, r.Level)).ToList();
        (int, LogLevel)[] expected =
        [
            (1001, LogLevel.Information), // signed up
            (1011, LogLevel.Warning), // login failed
            (1010, LogLevel.Information), // logged in
            (1020, LogLevel.Information), // refreshed
            (1021, LogLevel.Information), // previous token within the reuse interval
            (1022, LogLevel.Warning), // reuse detected, session revoked
            (1030, LogLevel.Information), // logged out
        ];
        foreach (var e in expected)
        {
            Assert.Contains(e, events);
        }

        Assert.Contains(records, r => r.Id.Id == 1022 && r.Message.Contains(signup.UserId, StringComparison.Ordinal));
        var text = string.Join('\n', records.Select(r => r.Message + " " + string.Join(' ', r.StructuredState?.Select(p => p.Value) ?? [])));
        foreach (var secret in new[] { Api.Password, wrongPassword, signup.AccessToken, signup.RefreshToken, login.AccessToken, login.RefreshToken, rotated.AccessToken, rotated.RefreshToken })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret.Split('.')[^1], text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(signup.Email, text, StringComparison.OrdinalIgnoreCase);
    }

    private Task<FuncAuthApp> StartAsync() => FuncAuthApp.StartAsync(
        azurite,
        new Dictionary<string, string?>
        {
            ["KeyVault__Uri"] = _vault.VaultUri.ToString(),
            ["KeyVault__SigningKeySecretName"] = SecretName,
        },
        _time,
        _vault,
        asInProduction: true);
}
