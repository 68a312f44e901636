using System.Net;
using FuncAuth.Core.Passkeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Passkeys;

/// <summary>
/// Where passkeys meet the second factor (docs/api.md): <c>mfa_required</c> names <c>passkey</c> when the account has
/// one, and an admin's MFA reset removes the passkeys with TOTP and the recovery codes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PasskeyAndSecondFactorTests(AzuriteFixture azurite) : ClockedAppTests(azurite)
{
    [Fact]
    public async Task MfaRequiredNamesPasskeyOnlyWhenTheAccountHasOne()
    {
        var user = await Client.SignupAsync();
        var (secret, _) = await Client.EnrolTotpAsync(user, Time);
        Assert.Equal(["totp", "recovery_code"], await MethodsAsync(user.Email));

        using var authenticator = new SoftwareAuthenticator();
        var id = await Client.RegisterPasskeyAsync(user.AccessToken, authenticator);
        Assert.Equal(["totp", "recovery_code", "passkey"], await MethodsAsync(user.Email));

        using (var deleted = await Client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/passkeys/" + id, await SteppedUpAsync(user, secret))))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(["totp", "recovery_code"], await MethodsAsync(user.Email));
    }

    [Fact]
    public async Task AnAdminsMfaResetRemovesThePasskeysToo()
    {
        var admin = await Client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await Client.SignupAsync();
        await Client.EnrolTotpAsync(user, Time);
        using var authenticator = new SoftwareAuthenticator();
        await Client.RegisterPasskeyAsync(user.AccessToken, authenticator);
        await Client.RegisterPasskeyAsync(user.AccessToken, new SoftwareAuthenticator(), "Phone");
        var passkeys = App.Services.GetRequiredService<PasskeyService>();
        Assert.Equal(2, (await passkeys.ListAsync(user.UserId, CancellationToken.None)).Count);

        using (var reset = await Client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/users/{user.UserId}/mfa", admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        Assert.Empty(await passkeys.ListAsync(user.UserId, CancellationToken.None));
        Assert.False(await passkeys.HasPasskeyAsync(user.UserId, CancellationToken.None));
        var options = await Client.SignInOptionsAsync();
        using var signIn = await Client.SendSignInAsync(options, authenticator.Assert(options, PasskeyApi.Origin));
        await Problem.AssertAsync(signIn, HttpStatusCode.Unauthorized, "passkey_invalid");
    }

    private async Task<string[]> MethodsAsync(string email)
    {
        using var response = await Client.PostJsonAsync("/api/auth/login", new { email, password = Api.Password });
        var problem = await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "mfa_required");
        return [.. problem.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!)];
    }

    /// <summary>Deleting a passkey with TOTP on needs a recent proof with the second factor: a re-authentication with a code.</summary>
    private async Task<string> SteppedUpAsync(Tokens user, byte[] secret)
    {
        Time.Advance(TimeSpan.FromSeconds(30));
        using var response = await Client.PostJsonAsync("/api/auth/reauthenticate", new { code = MfaApi.Code(secret, Time) }, user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Tokens.ReadAsync(response)).AccessToken;
    }
}
