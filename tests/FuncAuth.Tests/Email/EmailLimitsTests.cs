using System.Net;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Email;

/// <summary>
/// The abuse limits on the email endpoints: the per-address limit on forgot, resend and reset, the per-recipient limit on what
/// the outbox sends (dropped silently, the answer stays 202), and a completed reset clearing the account's failed-login
/// counters.
/// </summary>
[Collection(EmailCollection.Name)]
public sealed class EmailLimitsTests(EmailFixture email)
{
    private const string NewPassword = "a brand new passphrase";

    [Fact]
    public async Task MailOverThePerRecipientLimitIsDroppedWhileEveryRequestIsAccepted()
    {
        await using var app = await email.StartAppAsync(Attack.Limited(("RateLimit__EmailsPerRecipient__Limit", "2")));
        var client = app.CreateClient();
        var address = Api.NewEmail();
        await client.SignupAsync(address); // the verification mail: 1 of 2
        for (var i = 0; i < 3; i++)
        {
            using var forgot = await client.PostFromAsync($"192.0.2.{10 + i}", "/api/auth/password/forgot", new { email = address });
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        await email.Smtp.WaitForMailAsync(address, 2);
        await WaitUntilOutboxIsEmptyAsync(app);

        var mails = await email.Smtp.MailToAsync(address);
        Assert.Equal(2, mails.Count);
        Assert.Single(mails, m => m.Subject == "Reset your password");
    }

    [Theory]
    [InlineData("/api/auth/password/forgot")]
    [InlineData("/api/auth/verify-email/resend")]
    [InlineData("/api/auth/password/reset")]
    public async Task TheEmailEndpointsShareThePerAddressLimit(string path)
    {
        await using var app = await email.StartAppAsync(Attack.Limited(("RateLimit__EmailRequestsPerAddress__Limit", "2")));
        var client = app.CreateClient();
        object body = path.EndsWith("reset", StringComparison.Ordinal)
            ? new { token = "not-a-token", password = NewPassword, passwordConfirmation = NewPassword }
            : new { email = Api.NewEmail() };
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await client.PostFromAsync("192.0.2.20", path, body);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, allowed.StatusCode);
        }

        using var refused = await client.PostFromAsync("192.0.2.20", path, body);
        await Problem.AssertAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(refused.Headers.RetryAfter);

        using var otherAddress = await client.PostFromAsync("192.0.2.21", path, body);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, otherAddress.StatusCode);
    }

    [Fact]
    public async Task ACompletedResetClearsTheAccountsFailedLoginCounters()
    {
        await using var app = await email.StartAppAsync(Attack.Limited(("RateLimit__LoginFailuresPerAccount__Limit", "3")));
        var client = app.CreateClient();
        var address = Api.NewEmail();
        await client.SignupAsync(address);
        for (var i = 0; i < 3; i++)
        {
            using var failed = await client.LoginFromAsync($"192.0.2.{30 + i}", address, Attack.WrongPassword);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using (var locked = await client.LoginFromAsync("192.0.2.40", address, Api.Password))
        {
            await Problem.AssertAsync(locked, HttpStatusCode.TooManyRequests, "rate_limited");
        }

        using (var forgot = await client.PostFromAsync("192.0.2.41", "/api/auth/password/forgot", new { email = address }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var reset = (await email.Smtp.WaitForMailAsync(address, 2)).Single(m => m.Subject == "Reset your password");
        using (var done = await client.PostFromAsync(
            "192.0.2.41", "/api/auth/password/reset", new { token = reset.TokenOf("reset-password"), password = NewPassword, passwordConfirmation = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }

        using var login = await client.LoginFromAsync("192.0.2.40", address, NewPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    private static async Task WaitUntilOutboxIsEmptyAsync(FuncAuthApp app)
    {
        var queue = app.OutboxQueue();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The outbox was not drained.");
            }

            await Task.Delay(100);
        }
    }
}
