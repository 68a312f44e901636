using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>
/// The storage budgets of the README ("Data"), measured by counting the Table Storage requests each endpoint makes. Every hot path
/// is point reads and single writes; a query or an extra round trip here is a regression.
/// </summary>
public sealed class StorageBudgetTests(AzuriteFixture azurite) : IAsyncLifetime, IClassFixture<AzuriteFixture>
{
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite);
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task SignupMakesFiveStorageCalls()
    {
        var calls = await CountAsync(() => _client.SignupAsync());

        // Side by side (so in any order): the cleanup index entry, the audit event and the audit trail's retention index
        // entry (written once a day per user and instance: a new user's first event always writes it). Then the user
        // reference with the first session (one transaction), then the account. No query for the cap on sessions: the
        // first session is always under it. Before the audit trail: 3 calls.
        Assert.Equal(["POST AuditEvents", "PUT AuditEvents", "PUT SessionExpiry"], calls.Take(3).Order(StringComparer.Ordinal));
        Assert.Equal(["POST $batch", "POST Users"], calls.Skip(3));
    }

    [Fact]
    public async Task LoginMakesFiveStorageCalls()
    {
        var email = Api.NewEmail();
        await _client.SignupAsync(email);

        var calls = await CountAsync(() => _client.LoginAsync(email));

        // The account, then the cleanup index entry, the cap's query of the live sessions and the audit event side by
        // side (so in any order: the event adds a call but no round trip), then the session. Before the audit trail: 4.
        // The trail's retention index entry was written by the sign-up today, on this instance: not again.
        Assert.Equal("GET Users", calls[0]);
        Assert.Equal(["GET UserSessions", "POST AuditEvents", "PUT SessionExpiry"], calls.Skip(1).Take(3).Order(StringComparer.Ordinal));
        Assert.Equal(["POST UserSessions"], calls.Skip(4));
    }

    [Fact]
    public async Task LoginAtTheSessionCapMakesOneMoreStorageCallToEndTheOldest()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__MaxSessionsPerUser"] = "2" });
        using var client = app.CreateClient();
        var email = Api.NewEmail();
        await client.SignupAsync(email);
        await client.LoginAsync(email);

        app.StorageRequests.Reset();
        await client.LoginAsync(email);
        var calls = app.StorageRequests.Requests.Select(StorageRequestCounter.Shape).ToList();

        Assert.Equal("GET Users", calls[0]);
        Assert.Equal(["GET UserSessions", "POST AuditEvents", "PUT SessionExpiry"], calls.Skip(1).Take(3).Order(StringComparer.Ordinal));
        // The new session, then one conditional merge ending the least recently used.
        Assert.Equal(["POST UserSessions", "PATCH UserSessions"], calls.Skip(4));
    }

    [Fact]
    public async Task FailedLoginOfAnExistingAccountMakesOneCallMoreForItsEvent()
    {
        var email = Api.NewEmail();
        await _client.SignupAsync(email);

        var calls = await CountAsync(async () =>
        {
            using var response = await _client.PostJsonAsync("/api/auth/login", new { email, password = "not the password at all" });
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        });

        // The account, then its login_failed event (README, "Audit trail": each wrong password of an account is kept).
        Assert.Equal(["GET Users", "POST AuditEvents"], calls);
    }

    [Fact]
    public async Task FailedLoginMakesOneStorageCall()
    {
        var calls = await CountAsync(async () =>
        {
            using var response = await _client.PostJsonAsync("/api/auth/login", new { email = Api.NewEmail(), password = Api.Password });
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        });

        Assert.Equal(["GET Users"], calls);
    }

    [Fact]
    public async Task RefreshMakesTwoStorageCalls()
    {
        var tokens = await _client.SignupAsync();

        var calls = await CountAsync(async () =>
        {
            using var response = await _client.RefreshAsync(tokens.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        // The session with the user's row (roles and email as they are now: one partition query), the rotated session
        // written back.
        Assert.Equal(["GET UserSessions", "PUT UserSessions"], calls);
    }

    [Fact]
    public async Task MeMakesOneStorageCall()
    {
        var tokens = await _client.SignupAsync();

        var calls = await CountAsync(async () =>
        {
            using var response = await _client.GetAsync("/api/auth/me", tokens.AccessToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        // The session and the profile copy beside it, in one partition query.
        Assert.Equal(["GET UserSessions"], calls);
    }

    [Fact]
    public async Task LocalLogoutMakesThreeStorageCalls()
    {
        var tokens = await _client.SignupAsync();

        var calls = await CountAsync(async () =>
        {
            using var response = await _client.SendAsync(Api.Authorized(HttpMethod.Post, "/api/auth/logout", tokens.AccessToken));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        });

        // The session read by authentication, the logout event, then one merge conditional on what it read.
        Assert.Equal(["GET UserSessions", "POST AuditEvents", "PATCH UserSessions"], calls);
    }

    [Fact]
    public async Task RequestsRefusedBeforeStorageMakeNoStorageCalls()
    {
        var calls = await CountAsync(async () =>
        {
            using var badToken = await _client.GetAsync("/api/auth/me", "not-a-token");
            using var badRefresh = await _client.RefreshAsync("0.0.0.0.0");
            using var invalidSignup = await _client.PostJsonAsync("/api/auth/signup", new { email = "x" });
            Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, badRefresh.StatusCode);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, invalidSignup.StatusCode);
        });

        Assert.Empty(calls);
    }

    private async Task<IReadOnlyList<string>> CountAsync(Func<Task> action)
    {
        _app.StorageRequests.Reset();
        await action();
        return [.. _app.StorageRequests.Requests.Select(StorageRequestCounter.Shape)];
    }
}
