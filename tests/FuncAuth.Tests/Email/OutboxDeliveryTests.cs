using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Email;

/// <summary>
/// The outbox's delivery guarantee: requests only enqueue, so they answer at once whatever SMTP does; a message is
/// deleted from the queue only after the SMTP server accepted it, so an outage delays mail and loses none (at least
/// once: a crash between acceptance and delete would send that one mail again, which these tests do not provoke).
/// </summary>
[Collection(EmailCollection.Name)]
public sealed class OutboxDeliveryTests(EmailFixture email)
{
    [Fact]
    public async Task WhileSmtpIsDownRequestsAnswerAtOnceAndEveryMailArrivesExactlyOnceAfterItReturns()
    {
        var smtpPort = LoopbackPorts.FreePort();
        await using var app = await email.StartAppAsync(new Dictionary<string, string?>
        {
            ["Email:SmtpPort"] = smtpPort.ToString(),
            // The outage lasts as long as smtp4dev takes to start; the messages must not reach the poison queue first.
            ["Email:MaxDequeueCount"] = "100",
        });
        var client = app.CreateClient();
        var addresses = Enumerable.Range(0, 3).Select(_ => Api.NewEmail("outage")).ToList();
        foreach (var address in addresses)
        {
            await client.SignupAsync(address);
        }

        foreach (var address in addresses)
        {
            var watch = Stopwatch.StartNew();
            using var forgot = await client.PostJsonAsync("/api/auth/password/forgot", new { email = address });
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"forgot took {watch.Elapsed} with SMTP down");
        }

        await WaitUntilAsync(() => app.Logs.GetSnapshot().Any(r => r.Id.Id == 1252), "a failed send");

        await using var smtp = await Smtp4dev.StartAsync(smtpPort);
        foreach (var address in addresses)
        {
            var mails = await smtp.WaitForMailAsync(address, 2, TimeSpan.FromSeconds(60));
            Assert.Equal(["Confirm your email address", "Reset your password"], mails.Select(m => m.Subject).Order());
        }

        var queue = app.OutboxQueue();
        await WaitUntilAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "an empty outbox");
        foreach (var address in addresses)
        {
            Assert.Equal(2, (await smtp.MailToAsync(address)).Count);
        }
    }

    [Fact]
    public async Task RetriesOfOneMailChargeTheRecipientsLimitOnceSoAnOutageDropsNoMail()
    {
        var smtpPort = LoopbackPorts.FreePort();
        var settings = Attack.Limited(("RateLimit__EmailsPerRecipient__Limit", "2"));
        settings["Email:SmtpPort"] = smtpPort.ToString();
        settings["Email:MaxDequeueCount"] = "100";
        await using var app = await email.StartAppAsync(settings);
        var client = app.CreateClient();
        var address = Api.NewEmail("retries");
        await client.SignupAsync(address);
        using (var forgot = await client.PostJsonAsync("/api/auth/password/forgot", new { email = address }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        // Both mails fail several times over: charged per try, the limit of 2 would be spent before SMTP returns.
        await WaitUntilAsync(() => app.Logs.GetSnapshot().Count(r => r.Id.Id == 1252) >= 6, "repeated failed sends");

        await using var smtp = await Smtp4dev.StartAsync(smtpPort);
        var mails = await smtp.WaitForMailAsync(address, 2, TimeSpan.FromSeconds(60));
        Assert.Equal(["Confirm your email address", "Reset your password"], mails.Select(m => m.Subject).Order());
    }

    [Fact]
    public async Task UnderTheFunctionsHostSendEmailSendsTheQueuedMessageAndAFailureAsksTheHostToRetry()
    {
        // With FUNCTIONS_CUSTOMHANDLER_PORT set the app does not drain the queue itself: the host invokes SendEmail.
        await using var app = await email.StartAppAsync(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "1" });
        var client = app.CreateClient();
        var address = Api.NewEmail();
        await client.SignupAsync(address);
        using (var forgot = await client.PostJsonAsync("/api/auth/password/forgot", new { email = address }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var queued = (await app.OutboxQueue().ReceiveMessagesAsync(10)).Value;
        Assert.Equal(2, queued.Length);
        Assert.All(queued, m => Assert.DoesNotContain("token", m.Body.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.Empty(await email.Smtp.MailToAsync(address));

        foreach (var message in queued)
        {
            using var invocation = await client.SendAsync(Invocation(message.Body.ToString()));
            Assert.Equal(HttpStatusCode.OK, invocation.StatusCode);
            Assert.Contains("\"Logs\":[\"Outbox message sent.\"]", await invocation.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(2, (await email.Smtp.WaitForMailAsync(address, 2)).Count);

        using (var proxied = Invocation(queued[0].Body.ToString()))
        {
            proxied.Headers.Add("X-Forwarded-For", "203.0.113.7");
            using var refused = await client.SendAsync(proxied);
            await Problem.AssertAsync(refused, HttpStatusCode.NotFound, "not_found");
        }

        await using var down = await email.StartAppAsync(new Dictionary<string, string?>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "1",
            ["Email:SmtpPort"] = LoopbackPorts.FreePort().ToString(),
            ["Storage:TablePrefix"] = app.Services.GetService<Microsoft.Extensions.Options.IOptions<FuncAuth.Core.Options.StorageOptions>>()!.Value.TablePrefix,
        });
        using var failed = await down.CreateClient().SendAsync(Invocation(queued[0].Body.ToString()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
    }

    private static HttpRequestMessage Invocation(string message) => Api.Raw(
        HttpMethod.Post,
        "/SendEmail",
        System.Text.Json.JsonSerializer.Serialize(new { Data = new { message }, Metadata = new { DequeueCount = 1 } }));

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Waited in vain for " + what);
            }

            await Task.Delay(100);
        }
    }
}
