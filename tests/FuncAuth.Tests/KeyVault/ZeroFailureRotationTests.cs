using System.Net;
using FuncAuth.Core.Tokens;
using FuncAuth.Tests.Downstream;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.KeyVault;

/// <summary>
/// A routine key rotation seen from a relying party that caches the JWKS for its full max-age: tokens are issued and
/// validated throughout, downstream and at FuncAuth, and not one validation fails. Then the old version is disabled
/// and FuncAuth refuses what it signed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ZeroFailureRotationTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string SecretName = "jwt-signing-key";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    // The app's clock runs behind the real one so that tokens issued while it moves forward are neither "not yet valid"
    // nor expired for the downstream API, whose JwtBearer checks lifetimes on the real clock.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow.AddMinutes(-30));
    private KeyVaultStandIn _vault = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultStandIn.StartAsync();
        _vault.Clock = _time;
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task RotatingTheKeyFailsNoValidationDownstreamOrAtFuncAuthAndDisablingTheOldVersionRevokesItsTokens()
    {
        var first = _vault.AddSecretVersion(SecretName, TestKeys.NewPem());
        await using var funcAuth = await FuncAuthApp.StartAsync(
            azurite,
            new Dictionary<string, string?>
            {
                ["KeyVault__Uri"] = _vault.VaultUri.ToString(),
                ["KeyVault__SigningKeySecretName"] = SecretName,
                ["Auth__Issuer"] = DownstreamApiTests.Issuer,
                ["Auth__AccessTokenLifetime"] = "01:00:00",
            },
            _time,
            _vault);
        var cache = new MaxAgeConfigurationManager(DownstreamApiTests.Issuer, funcAuth.Server.CreateHandler(), _time);
        await using var downstream = new DownstreamApiApp(DownstreamApiTests.Issuer, DownstreamApiTests.Audience, funcAuth.Server.CreateHandler(), cache);
        var client = funcAuth.CreateClient();
        var user = await client.SignupAsync();
        var oldSession = await client.LoginAsync(user.Email);
        var tokens = user;
        var failures = new List<string>();
        var kids = new List<string>();

        // The worst moment for a relying party: its first JWKS fetch (and so its cache) comes just before FuncAuth's
        // five-minute key reload picks up the new version. The operator adds the version now; FuncAuth publishes it at
        // that reload, and the run goes on past the 10-minute activation delay.
        _time.Advance(TimeSpan.FromMinutes(4.5));
        var second = _vault.AddSecretVersion(SecretName, TestKeys.NewPem());
        for (var elapsed = TimeSpan.Zero; elapsed <= TimeSpan.FromMinutes(11); elapsed += Step)
        {
            _time.Advance(Step);
            using var refreshed = await client.RefreshAsync(tokens.RefreshToken);
            if (refreshed.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{elapsed}: refresh answered {(int)refreshed.StatusCode}");
                continue;
            }

            var previous = tokens;
            tokens = await Tokens.ReadAsync(refreshed);
            kids.Add(new JsonWebToken(tokens.AccessToken).Kid);
            using var me = await client.GetAsync("/api/auth/me", tokens.AccessToken);
            if (me.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{elapsed}: FuncAuth answered {(int)me.StatusCode}");
            }

            foreach (var accessToken in new[] { tokens.AccessToken, previous.AccessToken, oldSession.AccessToken })
            {
                var status = await downstream.CallAsync(accessToken);
                if (status != HttpStatusCode.OK)
                {
                    failures.Add($"{elapsed}: downstream answered {(int)status} for kid {new JsonWebToken(accessToken).Kid}");
                }
            }
        }

        Assert.Empty(failures);
        // Both versions signed during the run, the old one first; and the downstream cache was refreshed on its max-age.
        Assert.Equal(first, kids[0]);
        Assert.Equal(second, kids[^1]);
        Assert.Equal([first, second], kids.Distinct());
        Assert.InRange(cache.Fetches, 2, 4);

        // Disabling the old version: once FuncAuth has reloaded, everything it signed is refused there.
        _vault.SetEnabled(SecretName, first, enabled: false);
        var ring = funcAuth.Services.GetRequiredService<SigningKeyRing>();
        _time.Advance(TimeSpan.FromMinutes(5));
        for (var waited = 0; (await ring.GetAsync(CancellationToken.None)).Find(first) is not null; waited++)
        {
            Assert.True(waited < 500, "FuncAuth did not drop the disabled version.");
            await Task.Delay(20);
        }

        Assert.Equal(first, new JsonWebToken(oldSession.AccessToken).Kid);
        using var oldAccess = await client.GetAsync("/api/auth/me", oldSession.AccessToken);
        await Problem.AssertUnauthorizedAsync(oldAccess, "token_invalid");
        using var oldRefresh = await client.RefreshAsync(oldSession.RefreshToken);
        await Problem.AssertAsync(oldRefresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        using var current = await client.GetAsync("/api/auth/me", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }
}
