using System.Net;
using System.Security.Cryptography;
using FuncAuth.Core.Tokens;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.KeyVault;

/// <summary>
/// The Key Vault code path end to end: the app's real SecretClient reads the signing-key versions from the HTTPS
/// stand-in. A new version signs new tokens while older ones keep verifying; disabling a version revokes its tokens.
/// </summary>
public sealed class KeyRotationTests(AzuriteFixture azurite) : IAsyncLifetime, IClassFixture<AzuriteFixture>
{
    private const string SecretName = "jwt-signing-key";
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ActivationDelay = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private KeyVaultStandIn _vault = null!;
    private string _firstVersion = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultStandIn.StartAsync();
        _vault.Clock = _time;
        _firstVersion = _vault.AddSecretVersion(SecretName, NewKey());
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task TokensAreSignedWithTheNewestEnabledVersion()
    {
        await using var app = await StartAppAsync();

        var tokens = await app.CreateClient().SignupAsync();

        Assert.Equal(_firstVersion, new JsonWebToken(tokens.AccessToken).Kid);
    }

    [Fact]
    public async Task ANewVersionSignsNewTokensWhileTokensOfThePreviousVersionStayValid()
    {
        await using var app = await StartAppAsync();
        var client = app.CreateClient();
        var before = await client.SignupAsync();

        var second = _vault.AddSecretVersion(SecretName, NewKey());
        await ReloadAsync(app, second);

        var after = await client.LoginAsync(before.Email);
        Assert.Equal(second, new JsonWebToken(after.AccessToken).Kid);
        using var oldAccess = await client.GetAsync("/api/auth/me", before.AccessToken);
        Assert.Equal(HttpStatusCode.OK, oldAccess.StatusCode);
        using var oldRefresh = await client.RefreshAsync(before.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, oldRefresh.StatusCode);
        Assert.Equal(second, new JsonWebToken((await Tokens.ReadAsync(oldRefresh)).AccessToken).Kid);
    }

    [Fact]
    public async Task DisablingAVersionMakesItsTokensInvalid()
    {
        await using var app = await StartAppAsync();
        var client = app.CreateClient();
        var before = await client.SignupAsync();

        var second = _vault.AddSecretVersion(SecretName, NewKey());
        _vault.SetEnabled(SecretName, _firstVersion, enabled: false);
        await ReloadAsync(app, second);

        using var oldAccess = await client.GetAsync("/api/auth/me", before.AccessToken);
        await Problem.AssertUnauthorizedAsync(oldAccess, "token_invalid");
        using var oldRefresh = await client.RefreshAsync(before.RefreshToken);
        await Problem.AssertAsync(oldRefresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        var fresh = await client.LoginAsync(before.Email);
        using var freshAccess = await client.GetAsync("/api/auth/me", fresh.AccessToken);
        Assert.Equal(HttpStatusCode.OK, freshAccess.StatusCode);
    }

    [Fact]
    public async Task AnInstanceThatHasNotReloadedYetAcceptsTokensOfTheNewVersion()
    {
        // Without an activation delay, the first instance to reload signs with a version the other has not seen yet:
        // the unknown-kid reload is what still closes that gap.
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        await using var rotated = await StartAppAsync(prefix, activationDelay: "00:00:00");
        await using var lagging = await StartAppAsync(prefix, activationDelay: "00:00:00");

        // Only one instance reloads (as if its periodic reload came first); the clock stays put so the other does not.
        var second = _vault.AddSecretVersion(SecretName, NewKey());
        _time.Advance(TimeSpan.FromSeconds(2));
        await rotated.Services.GetRequiredService<SigningKeyRing>().ReloadAsync(CancellationToken.None);
        var tokens = await rotated.CreateClient().SignupAsync();
        Assert.Equal(second, new JsonWebToken(tokens.AccessToken).Kid);

        using var me = await lagging.CreateClient().GetAsync("/api/auth/me", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var refresh = await lagging.CreateClient().RefreshAsync(tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    [Fact]
    public async Task TokensNamingUnknownKeysDoNotMakeEveryRequestReadKeyVault()
    {
        await using var app = await StartAppAsync();
        var tokens = await app.CreateClient().SignupAsync();
        var forged = ReplaceKid(tokens.AccessToken, "0123456789abcdef0123456789abcdef");
        var requestsBefore = _vault.RequestCount;

        for (var i = 0; i < 10; i++)
        {
            using var response = await app.CreateClient().GetAsync("/api/auth/me", forged);
            await Problem.AssertUnauthorizedAsync(response, "token_invalid");
        }

        // One reload (one listing) at most, however many requests name the unknown key.
        Assert.InRange(_vault.RequestCount - requestsBefore, 0, 1);
    }

    [Fact]
    public async Task KeyVaultUnavailableAtStartAnswers503UntilItRecovers()
    {
        _vault.Unavailable = true;
        await using var app = await StartAppAsync(waitUntilHealthy: false);
        var client = app.CreateClient();

        using var health = await client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("unhealthy", (await health.ReadJsonAsync()).GetProperty("checks").GetProperty("signingKey").GetString());
        using var signup = await client.PostJsonAsync("/api/auth/signup", new { email = Api.NewEmail(), password = Api.Password, passwordConfirmation = Api.Password });
        await Problem.AssertAsync(signup, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.NotNull(signup.Headers.RetryAfter);

        // Retries of the failed load are throttled: more requests within the same second do not reach Key Vault.
        var requestsDuringOutage = _vault.RequestCount;
        for (var i = 0; i < 5; i++)
        {
            using var again = await client.GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        }

        Assert.Equal(requestsDuringOutage, _vault.RequestCount);

        _vault.Unavailable = false;
        _time.Advance(TimeSpan.FromSeconds(1));
        await app.WaitUntilHealthyAsync();
        await client.SignupAsync();
    }

    [Fact]
    public async Task AKeyVaultOutageAfterStartKeepsTheLoadedKeys()
    {
        await using var app = await StartAppAsync();
        var client = app.CreateClient();
        var tokens = await client.SignupAsync();

        _vault.Unavailable = true;
        var requestsBefore = _vault.RequestCount;
        _time.Advance(ReloadInterval);
        await client.GetAsync("/api/health");

        // The periodic reload ran into the outage (it reached the vault and logged the failure) and kept the loaded keys.
        var failure = await WaitForLogAsync(app, SigningKeysUnavailableEventId);
        Assert.Equal("True", failure.GetStructuredStateValue("KeptPrevious"));
        Assert.True(_vault.RequestCount > requestsBefore, "No request reached the vault after the outage began.");
        using var me = await client.GetAsync("/api/auth/me", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var refresh = await client.RefreshAsync(tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    private const int SigningKeysUnavailableEventId = 1061;

    /// <summary>The background reload runs on its own; wait (bounded) for the event it logs.</summary>
    private static async Task<Microsoft.Extensions.Logging.Testing.FakeLogRecord> WaitForLogAsync(FuncAuthApp app, int eventId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (app.Logs.GetSnapshot().LastOrDefault(r => r.Id.Id == eventId) is { } record)
            {
                return record;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No log event {eventId} within 30 s.");
            await Task.Delay(20);
        }
    }

    private Task<FuncAuthApp> StartAppAsync(string? tablePrefix = null, bool waitUntilHealthy = true, string? activationDelay = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["KeyVault__Uri"] = _vault.VaultUri.ToString(),
            ["KeyVault__SigningKeySecretName"] = SecretName,
        };
        if (activationDelay is not null)
        {
            settings["Auth__KeyActivationDelay"] = activationDelay;
        }

        if (tablePrefix is not null)
        {
            settings["Storage__TablePrefix"] = tablePrefix;
        }

        return FuncAuthApp.StartAsync(azurite, settings, _time, _vault, waitUntilHealthy);
    }

    /// <summary>
    /// Lets the app's periodic reload run, past the new version's activation delay, and waits (bounded) until it signs
    /// with <paramref name="version"/>.
    /// </summary>
    private async Task ReloadAsync(FuncAuthApp app, string version)
    {
        var ring = app.Services.GetRequiredService<SigningKeyRing>();
        _time.Advance(ActivationDelay + TimeSpan.FromMinutes(1));
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(10); waited += TimeSpan.FromMilliseconds(20))
        {
            if ((await ring.GetAsync(CancellationToken.None)).Current.Id == version)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail("The app did not pick up the new key version.");
    }

    private static string NewKey() => TestKeys.NewPem();

    private static string ReplaceKid(string jwt, string kid)
    {
        var parts = jwt.Split('.');
        var header = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        var original = new JsonWebToken(jwt).Kid;
        parts[0] = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(header.Replace(original, kid, StringComparison.Ordinal)));
        return string.Join('.', parts);
    }
}
