using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Email;

/// <summary>
/// Storage budgets of the lifecycle endpoints: Table calls and Queue calls counted apart, as docs/api.md lists them.
/// The app runs as under the Functions host (no in-process drainer), so the queue calls counted are the request's own.
/// Counts include the session read that authenticates a protected request, and every write of an account is followed
/// by a read and a conditional write of its profile copy beside the sessions (what lets me and refresh skip the account
/// read).
/// </summary>
[Collection(EmailCollection.Name)]
public sealed class LifecycleStorageBudgetTests(EmailFixture email) : IAsyncLifetime
{
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await email.StartAppAsync(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "1" });
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ForgotAndResendMakeOneQueueCallAndNoTableCallWhateverTheAddress()
    {
        var registered = (await _client.SignupAsync()).Email;
        foreach (var path in new[] { "/api/auth/password/forgot", "/api/auth/verify-email/resend" })
        {
            foreach (var address in new[] { registered, Api.NewEmail() })
            {
                var (tables, queues) = await CountAsync(HttpStatusCode.Accepted, () => _client.PostJsonAsync(path, new { email = address }));
                Assert.Equal(0, tables);
                Assert.Equal(1, queues);
            }
        }
    }

    [Fact]
    public async Task VerifyAndResetStayWithinTheirBudgets()
    {
        var user = await _client.SignupAsync();
        var verifyToken = await MailedTokenAsync(user.Email, "verify-email");
        var (tables, queues) = await CountAsync(HttpStatusCode.NoContent, () => _client.PostJsonAsync("/api/auth/verify-email", new { token = verifyToken }));
        // Ref and account reads, the audit event, the account write, the profile copy's read and write.
        Assert.InRange(tables, 1, 6);
        Assert.Equal(0, queues);

        using (await _client.PostJsonAsync("/api/auth/password/forgot", new { email = user.Email }))
        {
        }

        var resetToken = await MailedTokenAsync(user.Email, "reset-password");
        (tables, queues) = await CountAsync(HttpStatusCode.NoContent, () =>
            _client.PostJsonAsync("/api/auth/password/reset", new { token = resetToken, password = "a brand new passphrase", passwordConfirmation = "a brand new passphrase" }));
        // ref + account reads, the account write (new stamp first), the copy's read and write, one partition query and one
        // batch to end the sessions, one query for the API keys to revoke, the audit event. One queue call: the security
        // notice that the password was reset.
        Assert.InRange(tables, 1, 9);
        Assert.Equal(1, queues);
    }

    [Fact]
    public async Task ProtectedLifecycleEndpointsStayWithinTheirBudgets()
    {
        var user = await _client.SignupAsync();
        await DrainAsync();
        Assert.InRange((await CountAsync(HttpStatusCode.OK, () => _client.SendAsync(Api.Json(HttpMethod.Patch, "/api/auth/me", new { name = "Ann" }, user.AccessToken)))).Tables, 1, 5);
        Assert.InRange((await CountAsync(HttpStatusCode.OK, () => _client.GetAsync("/api/auth/sessions", user.AccessToken))).Tables, 1, 2);

        var other = await _client.LoginAsync(user.Email);
        using var list = await _client.GetAsync("/api/auth/sessions", user.AccessToken);
        var otherId = (await list.ReadJsonAsync()).EnumerateArray().Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();
        // Auth read, the session's read, its logout event, the conditional write.
        Assert.InRange((await CountAsync(HttpStatusCode.NoContent, () => _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + otherId, user.AccessToken)))).Tables, 1, 4);

        const string changed = "a brand new passphrase";
        // Auth read, account read, the account write with its new stamp, the copy's read and write, the caller's session
        // moved to the new stamp, the other sessions ended (query + batch), the audit event. (The failed-login limits are
        // off here.)
        Assert.InRange((await CountAsync(HttpStatusCode.NoContent, () => _client.PostJsonAsync(
            "/api/auth/password/change", new { currentPassword = Api.Password, password = changed, passwordConfirmation = changed }, user.AccessToken))).Tables, 1, 9);

        // Two sessions: auth read, account read, the new stamp (account write, copy read and write), end sessions (query +
        // batch), partition query, a point delete of each session's index entry, the partition's batch delete, account
        // delete, the audit event; and the step-up rule's passkey check (the session has no mfa, TOTP is off). No query
        // leaves the user's partition.
        Assert.InRange((await CountAsync(HttpStatusCode.NoContent, () => _client.SendAsync(
            Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = changed }, user.AccessToken)))).Tables, 1, 14);
        _ = other;
    }

    [Fact]
    public async Task AdminEndpointsStayWithinTheirBudgets()
    {
        await using var app = await email.StartAppAsync(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "1", ["Email:SmtpHost"] = null });
        var client = app.CreateClient();
        var admin = await client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await client.SignupAsync();

        app.StorageRequests.Reset();
        using (var find = await client.GetAsync("/api/users?email=" + Uri.EscapeDataString(user.Email), admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, find.StatusCode);
        }

        Assert.InRange(app.StorageRequests.Count, 1, 2);
        app.StorageRequests.Reset();
        using (var disable = await client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/disable", admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        // Auth, ref and account reads, the account write, the profile copy's read and write, ending the sessions (query +
        // batch), the user's API keys (query), the audit event, and the step-up rule's passkey check of the admin.
        Assert.InRange(app.StorageRequests.Count, 1, 11);
        app.StorageRequests.Reset();
        using (var enable = await client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/enable", admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        }

        Assert.InRange(app.StorageRequests.Count, 1, 8);
    }

    [Fact]
    public async Task SignupWithVerificationRequiredCostsTheSameCallsForANewAndARegisteredAddress()
    {
        await using var app = await email.StartAppAsync(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "1", ["Auth:RequireEmailVerification"] = "true" });
        var client = app.CreateClient();
        // The first enqueue of a fresh app creates its queue (connection-string mode only); not part of the budget.
        using (await client.PostJsonAsync("/api/auth/password/forgot", new { email = Api.NewEmail() }))
        {
        }

        var address = Api.NewEmail();
        var calls = new List<(string[] Tables, int Queues)>();
        for (var i = 0; i < 2; i++)
        {
            app.StorageRequests.Reset();
            app.QueueRequests.Reset();
            using var response = await client.PostJsonAsync("/api/auth/signup", new { email = address, password = Api.Password, passwordConfirmation = Api.Password });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            calls.Add(([.. app.StorageRequests.Requests.Select(StorageRequestCounter.Shape)], app.QueueRequests.Count));
        }

        // The reference insert, the account insert (created, or refused: the address is registered), then the losing
        // sign-up's reference removed or, for the new account, a delete of the same kind: no query, no scan, nothing to
        // tell the two apart by. Beside the reference insert, the sign-up's audit event and its retention index entry (a new
        // user id each time, so both sign-ups write both).
        Assert.Equal(["POST AuditEvents", "POST UserSessions", "PUT AuditEvents"], calls[0].Tables.Take(3).Order(StringComparer.Ordinal));
        Assert.Equal(["POST Users", "DELETE UserSessions"], calls[0].Tables.Skip(3));
        Assert.Equal(calls[0].Tables.Order(StringComparer.Ordinal), calls[1].Tables.Order(StringComparer.Ordinal));
        Assert.Equal(1, calls[0].Queues);
        Assert.Equal(1, calls[1].Queues);
    }

    private async Task<(int Tables, int Queues)> CountAsync(HttpStatusCode expected, Func<Task<HttpResponseMessage>> send)
    {
        _app.StorageRequests.Reset();
        _app.QueueRequests.Reset();
        using var response = await send();
        Assert.Equal(expected, response.StatusCode);
        return (_app.StorageRequests.Count, _app.QueueRequests.Count);
    }

    /// <summary>Sends what is queued the way the Functions host would, and returns the token of the newest mail's link.</summary>
    private async Task<string> MailedTokenAsync(string address, string path)
    {
        var before = (await email.Smtp.MailToAsync(address)).Count;
        await DrainAsync();
        var mails = await email.Smtp.WaitForMailAsync(address, before + 1);
        return mails.Last(m => m.Text.Contains("/" + path + "?", StringComparison.Ordinal)).TokenOf(path);
    }

    private async Task DrainAsync()
    {
        var queue = _app.OutboxQueue();
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                using var invocation = await _client.SendAsync(Api.Raw(HttpMethod.Post, "/SendEmail",
                    System.Text.Json.JsonSerializer.Serialize(new { Data = new { message = message.Body.ToString() }, Metadata = new { DequeueCount = 1 } })));
                Assert.Equal(HttpStatusCode.OK, invocation.StatusCode);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}
