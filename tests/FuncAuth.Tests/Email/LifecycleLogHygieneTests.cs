using System.Net;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Logging.Testing;

namespace FuncAuth.Tests.Email;

/// <summary>A full run of every lifecycle flow leaves no password, token, link or address in the logs.</summary>
[Collection(EmailCollection.Name)]
public sealed class LifecycleLogHygieneTests(EmailFixture email)
{
    [Fact]
    public async Task EveryFlowLogsItsEventsButNoPasswordTokenLinkOrAddress()
    {
        await using var app = await email.StartAppAsync();
        var client = app.CreateClient();
        const string second = "second secret passphrase";
        const string third = "third secret passphrase";
        var secrets = new List<string> { Api.Password, second, third };
        var address = Api.NewEmail("hygiene");

        var signup = await client.SignupAsync(address);
        var verifyToken = (await email.Smtp.WaitForMailAsync(address)).Single().TokenOf("verify-email");
        using (await client.PostJsonAsync("/api/auth/verify-email", new { token = verifyToken }))
        {
        }

        using (await client.PostJsonAsync("/api/auth/verify-email/resend", new { email = address }))
        {
        }

        using (await client.PostJsonAsync("/api/auth/password/forgot", new { email = address }))
        {
        }

        var resetMail = (await email.Smtp.WaitForMailAsync(address, 2)).Single(m => m.Subject == "Reset your password");
        var resetToken = resetMail.TokenOf("reset-password");
        using (var reset = await client.PostJsonAsync("/api/auth/password/reset", new { token = resetToken, password = second, passwordConfirmation = second }))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        var login = await client.LoginAsync(address, second);
        var other = await client.LoginAsync(address, second);
        using (await client.PostJsonAsync("/api/auth/password/change", new { currentPassword = "a wrong passphrase", password = third, passwordConfirmation = third }, login.AccessToken))
        {
        }

        secrets.Add("a wrong passphrase");
        using (var change = await client.PostJsonAsync("/api/auth/password/change", new { currentPassword = second, password = third, passwordConfirmation = third }, login.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        using (await client.SendAsync(Api.Json(HttpMethod.Patch, "/api/auth/me", new { name = "Hygiene" }, login.AccessToken)))
        {
        }

        using (await client.GetAsync("/api/auth/sessions", login.AccessToken))
        {
        }

        using (var delete = await client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = third }, login.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var text = string.Join('\n', app.Logs.GetSnapshot().Select(Render));
        secrets.AddRange([verifyToken, resetToken, signup.AccessToken, signup.RefreshToken, login.AccessToken, login.RefreshToken, other.AccessToken, other.RefreshToken]);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret.Split('.')[^1], text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("token=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("app.example.com/", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(address, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AQAAAA", text, StringComparison.Ordinal);

        var events = app.Logs.GetSnapshot().Select(r => r.Id.Id).ToHashSet();
        Assert.Superset(new HashSet<int> { 1101, 1102, 1103, 1104, 1106, 1250 }, events);
    }

    private static string Render(FakeLogRecord record) =>
        record.Message + " " + record.Exception + " " + string.Join(' ', record.StructuredState?.Select(p => p.Key + "=" + p.Value) ?? []);
}
