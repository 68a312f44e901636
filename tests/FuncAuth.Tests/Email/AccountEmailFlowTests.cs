using Microsoft.IdentityModel.JsonWebTokens;
using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Email;

/// <summary>
/// The account lifecycle end to end over HTTP, with the outbox in Azurite's queue and the mail in a real smtp4dev: every
/// link a test follows is read from a mail that really arrived.
/// </summary>
[Collection(EmailCollection.Name)]
public sealed class AccountEmailFlowTests(EmailFixture email) : IAsyncLifetime
{
    private const string NewPassword = "a brand new passphrase";

    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await email.StartAppAsync();
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task SignupSendsAVerificationEmailWhoseLinkVerifiesTheAddressOnce()
    {
        var address = Api.NewEmail();
        var tokens = await _client.SignupAsync(address);
        Assert.False(tokens.Body.GetProperty("user").GetProperty("emailVerified").GetBoolean());

        var mail = Assert.Single(await email.Smtp.WaitForMailAsync(address));
        Assert.Equal("Confirm your email address", mail.Subject);
        Assert.Contains("no-reply@funcauth.test", mail.From, StringComparison.Ordinal);
        var token = mail.TokenOf("verify-email");
        Assert.Contains("https://app.example.com/verify-email?token=", mail.Html, StringComparison.Ordinal);

        using (var verify = await _client.PostJsonAsync("/api/auth/verify-email", new { token }))
        {
            Assert.Equal(HttpStatusCode.NoContent, verify.StatusCode);
        }

        using (var me = await _client.GetAsync("/api/auth/me", tokens.AccessToken))
        {
            Assert.True((await me.ReadJsonAsync()).GetProperty("emailVerified").GetBoolean());
        }

        using var refresh = await _client.RefreshAsync(tokens.RefreshToken);
        var refreshed = await Tokens.ReadAsync(refresh);
        Assert.True(new JsonWebToken(refreshed.AccessToken).GetPayloadValue<bool>("email_verified"));
        Assert.False(new JsonWebToken(tokens.AccessToken).GetPayloadValue<bool>("email_verified"));

        using var again = await _client.PostJsonAsync("/api/auth/verify-email", new { token });
        await Problem.AssertAsync(again, HttpStatusCode.BadRequest, "verification_token_invalid");
    }

    [Fact]
    public async Task ForgotThenResetEndsEverySessionRefusesOldLinksAndTheNewPasswordLogsIn()
    {
        var address = Api.NewEmail();
        var first = await _client.SignupAsync(address);
        var second = await _client.LoginAsync(address);
        await email.Smtp.WaitForMailAsync(address);

        await ForgotAsync(address);
        await ForgotAsync(address);
        var resets = (await email.Smtp.WaitForMailAsync(address, 3)).Where(m => m.Subject == "Reset your password").ToList();
        Assert.Equal(2, resets.Count);
        var token = resets[1].TokenOf("reset-password");
        var otherToken = resets[0].TokenOf("reset-password");

        using (var reset = await _client.PostJsonAsync("/api/auth/password/reset", new { token, password = NewPassword, passwordConfirmation = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        foreach (var session in new[] { first, second })
        {
            using var me = await _client.GetAsync("/api/auth/me", session.AccessToken);
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
            using var refresh = await _client.RefreshAsync(session.RefreshToken);
            await Problem.AssertAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        }

        foreach (var spent in new[] { token, otherToken })
        {
            using var replay = await _client.PostJsonAsync("/api/auth/password/reset", new { token = spent, password = "yet another passphrase", passwordConfirmation = "yet another passphrase" });
            await Problem.AssertAsync(replay, HttpStatusCode.BadRequest, "reset_token_invalid");
        }

        using (var old = await _client.PostJsonAsync("/api/auth/login", new { email = address, password = Api.Password }))
        {
            await Problem.AssertAsync(old, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var login = await _client.LoginAsync(address, NewPassword);
        Assert.True(login.Body.GetProperty("user").GetProperty("emailVerified").GetBoolean());
    }

    [Fact]
    public async Task ChangingThePasswordEndsTheOtherSessionsAndKeepsTheCallers()
    {
        var address = Api.NewEmail();
        var caller = await _client.SignupAsync(address);
        var other = await _client.LoginAsync(address);
        await ForgotAsync(address);
        var reset = (await email.Smtp.WaitForMailAsync(address, 2)).Single(m => m.Subject == "Reset your password");

        using (var wrong = await _client.PostJsonAsync("/api/auth/password/change", new { currentPassword = "not the password", password = NewPassword, passwordConfirmation = NewPassword }, caller.AccessToken))
        {
            await Problem.AssertAsync(wrong, HttpStatusCode.Forbidden, "password_incorrect");
        }

        using (var change = await _client.PostJsonAsync("/api/auth/password/change", new { currentPassword = Api.Password, password = NewPassword, passwordConfirmation = NewPassword }, caller.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        using (var mine = await _client.GetAsync("/api/auth/me", caller.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        }

        using (var refreshed = await _client.RefreshAsync(caller.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        using (var theirs = await _client.GetAsync("/api/auth/me", other.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(theirs, "token_revoked");
        }

        // A reset link sent before the change died with the old password.
        using var stale = await _client.PostJsonAsync("/api/auth/password/reset", new { token = reset.TokenOf("reset-password"), password = "yet another passphrase", passwordConfirmation = "yet another passphrase" });
        await Problem.AssertAsync(stale, HttpStatusCode.BadRequest, "reset_token_invalid");
        await _client.LoginAsync(address, NewPassword);
    }

    [Fact]
    public async Task AForgedOrTamperedTokenIsInvalidAndAnExpiredOneIsExpired()
    {
        foreach (var token in new[] { "", "x", "r.0123456789abcdef0123456789abcdef.99999999999.k.AAAA", new string('a', 5000) })
        {
            using var verify = await _client.PostJsonAsync("/api/auth/verify-email", new { token });
            await Problem.AssertAsync(verify, HttpStatusCode.BadRequest, "verification_token_invalid");
            using var reset = await _client.PostJsonAsync("/api/auth/password/reset", new { token, password = NewPassword, passwordConfirmation = NewPassword });
            await Problem.AssertAsync(reset, HttpStatusCode.BadRequest, "reset_token_invalid");
        }

        var address = Api.NewEmail();
        await _client.SignupAsync(address);
        var link = (await email.Smtp.WaitForMailAsync(address)).Single().TokenOf("verify-email");
        var tampered = link[..^2] + (link[^2] == 'A' ? "B" : "A") + link[^1];
        using (var forged = await _client.PostJsonAsync("/api/auth/verify-email", new { token = tampered }))
        {
            await Problem.AssertAsync(forged, HttpStatusCode.BadRequest, "verification_token_invalid");
        }

        // A verification token is never a reset token.
        using var crossed = await _client.PostJsonAsync("/api/auth/password/reset", new { token = link, password = NewPassword, passwordConfirmation = NewPassword });
        await Problem.AssertAsync(crossed, HttpStatusCode.BadRequest, "reset_token_invalid");
    }

    private async Task ForgotAsync(string address)
    {
        using var response = await _client.PostJsonAsync("/api/auth/password/forgot", new { email = address });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
