using System.Net;
using System.Security.Cryptography;
using FuncAuth.Core.Tokens;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.KeyVault;

/// <summary>
/// README, "How the TOTP secret is protected": the TOTP secrets are encrypted under the versions of a dedicated Key
/// Vault secret, read through the real SecretClient from the HTTPS stand-in. A signing-key rotation leaves them
/// readable; a new MFA-key version encrypts new secrets while the old version still reads the old ones, also in a
/// fresh instance that has read no key yet.
/// </summary>
public sealed class MfaKeyTests(AzuriteFixture azurite) : IAsyncLifetime, IClassFixture<AzuriteFixture>
{
    private const string SigningKeyName = "jwt-signing-key";
    private const string MfaKeyName = "mfa-encryption-key";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _tablePrefix = "t" + Guid.NewGuid().ToString("N")[..10];
    private KeyVaultStandIn _vault = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultStandIn.StartAsync();
        _vault.Clock = _time;
        _vault.AddSecretVersion(SigningKeyName, TestKeys.NewPem());
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task SecretsStayReadableAcrossASigningKeyRotationAndANewMfaKeyVersion()
    {
        var firstKey = _vault.AddSecretVersion(MfaKeyName, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await using var app = await StartAppAsync();
        var client = app.CreateClient();
        var (ann, annSecret) = await EnrolAsync(client);
        Assert.StartsWith($"v1.{firstKey}.", await StoredSecretAsync(app, ann.UserId), StringComparison.Ordinal);

        // The signing key rotates: nothing about the TOTP secrets changes.
        var signing = _vault.AddSecretVersion(SigningKeyName, TestKeys.NewPem());
        _time.Advance(TimeSpan.FromMinutes(11));
        await WaitForSigningKeyAsync(app, signing);
        await SignInWithCodeAsync(client, ann.Email, annSecret);

        // A new MFA-key version encrypts the next enrolment; the first still reads Ann's.
        var secondKey = _vault.AddSecretVersion(MfaKeyName, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        _time.Advance(TimeSpan.FromMinutes(6));
        var (bob, bobSecret) = await EnrolAsync(client);
        Assert.StartsWith($"v1.{secondKey}.", await StoredSecretAsync(app, bob.UserId), StringComparison.Ordinal);
        await SignInWithCodeAsync(client, ann.Email, annSecret);

        // A fresh instance on the same tables reads each version by its id.
        await using var fresh = await StartAppAsync();
        var freshClient = fresh.CreateClient();
        await SignInWithCodeAsync(freshClient, ann.Email, annSecret);
        await SignInWithCodeAsync(freshClient, bob.Email, bobSecret);
    }

    private async Task<(Tokens User, byte[] Secret)> EnrolAsync(HttpClient client)
    {
        var user = await client.SignupAsync();
        return (user, (await client.EnrolTotpAsync(user, _time)).Secret);
    }

    private async Task SignInWithCodeAsync(HttpClient client, string email, byte[] secret)
    {
        // A new time step each time: a step is accepted once per account.
        _time.Advance(TimeSpan.FromSeconds(30));
        var mfaToken = await client.MfaTokenAsync(email);
        using var verified = await client.PostJsonAsync("/api/auth/mfa/verify", new { mfaToken, code = Code(secret) });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
    }

    private static async Task<string> StoredSecretAsync(FuncAuthApp app, string userId) =>
        (await app.Table("UserSessions").GetEntityAsync<Azure.Data.Tables.TableEntity>(userId, "mfa")).Value.GetString("TotpSecret");

    private string Code(byte[] secret) => MfaApi.Code(secret, _time);

    private static async Task WaitForSigningKeyAsync(FuncAuthApp app, string version)
    {
        var ring = app.Services.GetRequiredService<SigningKeyRing>();
        for (var waited = 0; waited < 500; waited++)
        {
            if ((await ring.GetAsync(CancellationToken.None)).Current.Id == version)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail("The app did not take the new signing key.");
    }

    private Task<FuncAuthApp> StartAppAsync() => FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?>
    {
        ["KeyVault__Uri"] = _vault.VaultUri.ToString(),
        ["KeyVault__SigningKeySecretName"] = SigningKeyName,
        ["KeyVault__MfaKeySecretName"] = MfaKeyName,
        ["Storage__TablePrefix"] = _tablePrefix,
    }, _time, _vault);
}
