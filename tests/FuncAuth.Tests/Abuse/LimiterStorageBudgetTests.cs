using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Abuse;

/// <summary>
/// The storage cost of the limits, counted. A counter's first request in a window is one insert; later ones from the
/// same instance are one replace, conditional on the ETag it remembers. A login also takes and (on success) gives back one count
/// from each failure limit: both counters of the account share a partition, so the take is one transaction (two inserts
/// while the account has no failures) and the give-back another (two deletes).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LimiterStorageBudgetTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(), Attack.Clock());
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ALoginCostsThreeCallsMoreThanWithoutLimitsAlsoFromABusyAddress()
    {
        var email = Api.NewEmail();
        using (var signup = await _client.PostFromAsync("192.0.2.1", "/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password }))
        {
            Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        }

        var fresh = Shapes(await CountAsync(() => _client.LoginFromAsync("192.0.2.2", email, Api.Password)));
        var again = Shapes(await CountAsync(() => _client.LoginFromAsync("192.0.2.2", email, Api.Password)));

        // 5 of the login itself (StorageBudgetTests, its audit event included) + 1 address counter (an insert the first
        // time, then one replace on the ETag this instance wrote) + both failure counters taken in one transaction before
        // the hash and given back in one after it. Before the counters shared a partition: 10.
        Assert.Equal(8, fresh.Count);
        Assert.Equal(["POST RateLimits", "POST $batch", "GET Users"], fresh.Take(3));
        Assert.Equal(["GET UserSessions", "POST AuditEvents", "PUT SessionExpiry"], fresh.Skip(3).Take(3).Order(StringComparer.Ordinal));
        Assert.Equal(["POST UserSessions", "POST $batch"], fresh.Skip(6));
        Assert.Equal(8, again.Count);
        Assert.Equal(["PUT RateLimits", "POST $batch", "GET Users"], again.Take(3));
        Assert.Equal(["POST UserSessions", "POST $batch"], again.Skip(6));
    }

    [Fact]
    public async Task AFailedLoginCostsTwoCallsMoreAndAThrottledOneTouchesNoAccount()
    {
        var email = Api.NewEmail();
        var failed = Shapes(await CountAsync(() => _client.LoginFromAsync("192.0.2.3", email, Attack.WrongPassword)));
        // The address counter, both failure counters in one transaction, the user read (none: no audit event).
        Assert.Equal(["POST RateLimits", "POST $batch", "GET Users"], failed);

        for (var i = 1; i < 10; i++)
        {
            using var guess = await _client.LoginFromAsync("192.0.2.3", email, Attack.WrongPassword);
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        var throttled = await CountAsync(async () =>
        {
            using var response = await _client.LoginFromAsync("192.0.2.3", email, Attack.WrongPassword);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        });

        Assert.DoesNotContain(throttled, r => r.Contains("/Users", StringComparison.Ordinal) || r.Contains("UserSessions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefreshAndSignupCostOneCallMoreFromAQuietAddress()
    {
        var tokens = await _client.SignupAsync();
        var refresh = await CountAsync(async () =>
        {
            var request = Api.Json(HttpMethod.Post, "/api/auth/refresh", new { refresh_token = tokens.RefreshToken });
            request.Headers.Add("X-Forwarded-For", "192.0.2.4");
            using var response = await _client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
        var signup = await CountAsync(async () =>
        {
            using var response = await _client.PostFromAsync("192.0.2.5", "/api/auth/signup", new { email = Api.NewEmail(), password = Api.Password, passwordConfirmation = Api.Password });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        });

        Assert.Equal(3, refresh.Count);
        // 5 of the sign-up itself (its audit event and the trail's retention index entry included) + 1 address counter.
        Assert.Equal(6, signup.Count);
    }

    private static List<string> Shapes(IReadOnlyList<string> requests) => [.. requests.Select(StorageRequestCounter.Shape)];

    private async Task<IReadOnlyList<string>> CountAsync(Func<Task> action)
    {
        _app.StorageRequests.Reset();
        await action();
        return _app.StorageRequests.Requests;
    }

    private async Task<IReadOnlyList<string>> CountAsync(Func<Task<HttpResponseMessage>> action)
    {
        _app.StorageRequests.Reset();
        using var response = await action();
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Unauthorized, $"unexpected {(int)response.StatusCode}");
        return _app.StorageRequests.Requests;
    }
}
