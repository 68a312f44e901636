using System.Net;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Email;

/// <summary>
/// The security notices (docs/api.md, "Audit trail"): a password change, a completed reset and a new API key each mail the
/// account's owner through the outbox, under their own cap per account (<c>RateLimit__SecurityEmailsPerAccount</c>), not
/// counted against <c>EmailsPerRecipient</c>.
/// </summary>
[Collection(EmailCollection.Name)]
public sealed class SecurityNoticeTests(EmailFixture email)
{
    private const string NewPassword = "a brand new passphrase";

    [Fact]
    public async Task ChangeResetAndNewKeyEachMailTheOwnerEvenWithTheRecipientLimitSpent()
    {
        // One mail per recipient an hour: the verification mail spends it. The notices still arrive.
        await using var app = await email.StartAppAsync(Attack.Limited(("RateLimit__EmailsPerRecipient__Limit", "1")));
        var client = app.CreateClient();
        var address = Api.NewEmail();
        var user = await client.SignupAsync(address);
        await email.Smtp.WaitForMailAsync(address, 1);

        using (var change = await client.PostJsonAsync("/api/auth/password/change", new { currentPassword = Api.Password, password = NewPassword, passwordConfirmation = NewPassword }, user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        var key = await client.CreateKeyAsync(user.AccessToken);
        using (var reset = await client.PostJsonAsync("/api/auth/password/reset", new { token = await app.ResetTokenAsync(address), password = "another new passphrase", passwordConfirmation = "another new passphrase" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        var mails = await email.Smtp.WaitForMailAsync(address, 4);
        Assert.Equal(
            ["A new API key was created for your account", "Confirm your email address", "Your password was changed", "Your password was reset"],
            mails.Select(m => m.Subject).Order(StringComparer.Ordinal));
        foreach (var notice in mails.Where(m => m.Subject != "Confirm your email address"))
        {
            // What happened and where to look; never the key, a token or a password.
            Assert.Contains("https://app.example.com/activity", notice.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(key.Secret, notice.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(NewPassword, notice.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoticesOverTheAccountsCapAreDropped()
    {
        await using var app = await email.StartAppAsync(Attack.Limited(("RateLimit__SecurityEmailsPerAccount__Limit", "2")));
        var client = app.CreateClient();
        var address = Api.NewEmail();
        var user = await client.SignupAsync(address);
        for (var i = 0; i < 3; i++)
        {
            await client.CreateKeyAsync(user.AccessToken, name: "job " + i);
        }

        await email.Smtp.WaitForMailAsync(address, 3);
        var queue = app.OutboxQueue();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var mails = await email.Smtp.MailToAsync(address);
        Assert.Equal(2, mails.Count(m => m.Subject == "A new API key was created for your account"));
        Assert.Single(mails, m => m.Subject == "Confirm your email address");
    }
}
