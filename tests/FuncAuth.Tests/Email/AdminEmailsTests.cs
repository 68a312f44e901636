using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Email;

/// <summary>
/// Account pre-hijacking: whoever signs up first with an address listed in Auth__AdminEmails chose that account's
/// password, so neither sign-up nor verification makes it admin; a completed password reset does, and the first
/// signer-up's password is gone with it.
/// </summary>
[Collection(EmailCollection.Name)]
public sealed class AdminEmailsTests(EmailFixture email)
{
    private const string OwnersPassword = "the real owner's passphrase";

    [Fact]
    public async Task AListedAddressBecomesAdminOnlyAtACompletedPasswordResetAndTheSquattersPasswordStopsWorking()
    {
        await using var app = await email.StartAppAsync();
        var client = app.CreateClient();
        var admin = FuncAuthApp.AdminEmail;

        var squatter = await client.SignupAsync(admin);
        Assert.Equal(["user"], Roles(squatter));
        await AssertNotAdminAsync(client, squatter.AccessToken);

        var verification = (await email.Smtp.WaitForMailAsync(admin)).Single(m => m.Subject == "Confirm your email address");
        using (var verify = await client.PostJsonAsync("/api/auth/verify-email", new { token = verification.TokenOf("verify-email") }))
        {
            Assert.Equal(HttpStatusCode.NoContent, verify.StatusCode);
        }

        var afterVerification = await client.LoginAsync(admin);
        Assert.Equal(["user"], Roles(afterVerification));
        await AssertNotAdminAsync(client, afterVerification.AccessToken);

        using (var forgot = await client.PostJsonAsync("/api/auth/password/forgot", new { email = admin }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var reset = (await email.Smtp.WaitForMailAsync(admin, 2)).Single(m => m.Subject == "Reset your password");
        using (var done = await client.PostJsonAsync("/api/auth/password/reset", new { token = reset.TokenOf("reset-password"), password = OwnersPassword, passwordConfirmation = OwnersPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }

        using (var old = await client.PostJsonAsync("/api/auth/login", new { email = admin, password = Api.Password }))
        {
            await Problem.AssertAsync(old, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var owner = await client.LoginAsync(admin, OwnersPassword);
        Assert.Equal(["user", "admin"], Roles(owner));
        using var lookup = await client.GetAsync("/api/users?email=" + Uri.EscapeDataString(admin.ToUpperInvariant()), owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
    }

    private static string[] Roles(Tokens tokens) =>
        tokens.Body.GetProperty("user").GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray();

    private static async Task AssertNotAdminAsync(HttpClient client, string accessToken)
    {
        using var response = await client.GetAsync("/api/users?email=x%40example.com", accessToken);
        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }
}
