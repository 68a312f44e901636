using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Email;

/// <summary>
/// Forgot, resend and sign-up with verification required answer alike for registered and unknown addresses (the
/// timing side is measured in bench/, not here). Only the owner of a registered address learns anything, by mail.
/// </summary>
[Collection(EmailCollection.Name)]
public sealed class NoEnumerationTests(EmailFixture email) : IAsyncLifetime
{
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await email.StartAppAsync(new Dictionary<string, string?> { ["Auth:RequireEmailVerification"] = "true" });
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/api/auth/password/forgot")]
    [InlineData("/api/auth/verify-email/resend")]
    public async Task ForgotAndResendAnswerTheSameForRegisteredAndUnknownAddresses(string path)
    {
        var registered = Api.NewEmail();
        await SignupAsync(registered);

        using var known = await _client.PostJsonAsync(path, new { email = registered });
        using var unknown = await _client.PostJsonAsync(path, new { email = Api.NewEmail() });

        await AssertSameAnswerAsync(known, unknown);
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal("{\"status\":\"accepted\"}", await known.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignupWithVerificationRequiredAnswersTheSameForANewAndARegisteredAddress()
    {
        var address = Api.NewEmail();
        using var first = await SignupAsync(address);
        using var second = await SignupAsync(address);

        await AssertSameAnswerAsync(first, second);
        Assert.Equal("{\"status\":\"verification_sent\"}", await first.Content.ReadAsStringAsync());

        var mails = await email.Smtp.WaitForMailAsync(address, 2);
        Assert.Equal(["Confirm your email address", "Someone tried to sign up with your address"], mails.Select(m => m.Subject).Order());
        Assert.DoesNotContain("token=", mails.Single(m => m.Subject.StartsWith("Someone", StringComparison.Ordinal)).Text, StringComparison.Ordinal);

        // The second signer-up's password was not stored: only the first one's works, after verification.
        using (var unverified = await _client.PostJsonAsync("/api/auth/login", new { email = address, password = Api.Password }))
        {
            await Problem.AssertAsync(unverified, HttpStatusCode.Forbidden, "email_not_verified");
        }

        using (var wrong = await _client.PostJsonAsync("/api/auth/login", new { email = address, password = "some wrong password" }))
        {
            await Problem.AssertAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var token = mails.Single(m => m.Subject == "Confirm your email address").TokenOf("verify-email");
        using (var verify = await _client.PostJsonAsync("/api/auth/verify-email", new { token }))
        {
            Assert.Equal(HttpStatusCode.NoContent, verify.StatusCode);
        }

        var login = await _client.LoginAsync(address);
        Assert.True(login.Body.GetProperty("user").GetProperty("emailVerified").GetBoolean());
    }

    private Task<HttpResponseMessage> SignupAsync(string address) =>
        _client.PostJsonAsync("/api/auth/signup", new { email = address, password = Api.Password, passwordConfirmation = Api.Password });

    private static async Task AssertSameAnswerAsync(HttpResponseMessage a, HttpResponseMessage b)
    {
        Assert.Equal(a.StatusCode, b.StatusCode);
        Assert.Equal(await a.Content.ReadAsStringAsync(), await b.Content.ReadAsStringAsync());
        Assert.Equal(Headers(a), Headers(b));
    }

    private static string Headers(HttpResponseMessage response) => string.Join('\n', response.Headers.Concat(response.Content.Headers)
        .Where(h => h.Key != "Date")
        .OrderBy(h => h.Key, StringComparer.Ordinal)
        .Select(h => h.Key + ": " + string.Join(',', h.Value)));
}
