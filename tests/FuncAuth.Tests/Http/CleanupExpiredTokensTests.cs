using System.Net;
using Azure.Data.Tables;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Http;

/// <summary>The timer function as the Functions host invokes it (custom-handler payload), against real tables.</summary>
public sealed class CleanupExpiredTokensTests(AzuriteFixture azurite) : IAsyncLifetime, IClassFixture<AzuriteFixture>
{
    private static readonly object TimerPayload = new
    {
        Data = new { timer = new { Schedule = new { AdjustForDST = true }, ScheduleStatus = (object?)null, IsPastDue = false } },
        Metadata = new { sys = new { MethodName = "CleanupExpiredTokens", UtcNow = "2026-11-22T00:00:00Z", RandGuid = Guid.NewGuid() } },
    };

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, time: _time);
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task TheTimerInvocationRemovesExpiredAndLongRevokedSessionsAndSaysHowMany()
    {
        var user = await _client.SignupAsync();
        await _client.LoginAsync(user.Email);
        var revoked = await _client.LoginAsync(user.Email);
        using (var logout = await _client.SendAsync(Api.Authorized(HttpMethod.Post, "/api/auth/logout", revoked.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        _time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromHours(1));
        using var response = await _client.PostJsonAsync("/CleanupExpiredTokens", TimerPayload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Empty(body.GetProperty("Outputs").EnumerateObject());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        Assert.Contains("Removed 3 ", Assert.Single(body.GetProperty("Logs").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.Equal(new CleanupCounts(Removed: 3, Refiled: 0, Visited: 3), LastRun());
        Assert.Equal(0, await CountSessionsAsync(user.UserId));
        Assert.Empty(await _app.Table("SessionExpiry").QueryAsync<TableEntity>().ToListAsync());
    }

    [Fact]
    public async Task CleanupCostFollowsTheSessionsRemovedNotTheSessionsStored()
    {
        const int expiring = 4;
        const int live = 30;
        var user = await _client.SignupAsync();
        for (var i = 1; i < expiring; i++)
        {
            await _client.LoginAsync(user.Email);
        }

        _time.Advance(TimeSpan.FromDays(20));
        var other = await _client.SignupAsync();
        for (var i = 1; i < live; i++)
        {
            await _client.LoginAsync(other.Email);
        }

        _time.Advance(TimeSpan.FromDays(10) + TimeSpan.FromHours(1));
        _app.StorageRequests.Reset();
        var removed = await RunCleanupAsync();

        Assert.Equal(expiring, removed);
        // One page of due index entries, then per removed session: read it, delete it, delete its index entry; plus one
        // page of due API-key index entries, one of the audit trail's due retention days (none yet). The sessions are
        // handled in parallel, so the calls are compared in sorted order.
        string[] expected = ["GET AuditEvents", "GET SessionExpiry", "GET SessionExpiry", .. Enumerable.Repeat("GET UserSessions", expiring), .. Enumerable.Repeat("DELETE UserSessions", expiring), .. Enumerable.Repeat("DELETE SessionExpiry", expiring)];
        Assert.Equal(
            expected.Order(StringComparer.Ordinal),
            _app.StorageRequests.Requests.Select(StorageRequestCounter.Shape).Order(StringComparer.Ordinal));
        Assert.Equal(0, await CountSessionsAsync(user.UserId));
        Assert.Equal(live, await CountSessionsAsync(other.UserId));
    }

    [Fact]
    public async Task ASessionRenewedByRefreshIsKeptAndRemovedOnlyWhenItsNewExpiryPasses()
    {
        var user = await _client.SignupAsync();
        _time.Advance(TimeSpan.FromDays(20));
        using var refresh = await _client.RefreshAsync(user.RefreshToken);
        var renewed = await Tokens.ReadAsync(refresh);

        _time.Advance(TimeSpan.FromDays(10) + TimeSpan.FromHours(1));
        Assert.Equal(0, await RunCleanupAsync());
        using (var stillValid = await _client.RefreshAsync(renewed.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }

        _time.Advance(TimeSpan.FromDays(31));
        Assert.Equal(1, await RunCleanupAsync());
        Assert.Equal(0, await CountSessionsAsync(user.UserId));
    }

    [Fact]
    public async Task ARevokedSessionIsKeptForTheRetentionPeriodThenRemoved()
    {
        var user = await _client.SignupAsync();
        _time.Advance(TimeSpan.FromDays(29));
        using var refresh = await _client.RefreshAsync(user.RefreshToken);
        var renewed = await Tokens.ReadAsync(refresh);
        using (var logout = await _client.SendAsync(Api.Authorized(HttpMethod.Post, "/api/auth/logout", renewed.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        // The original expiry hour comes due; the revoked session is younger than the 7-day retention.
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(2));
        Assert.Equal(0, await RunCleanupAsync());
        Assert.Equal(1, await CountSessionsAsync(user.UserId));

        _time.Advance(TimeSpan.FromDays(6));
        Assert.Equal(1, await RunCleanupAsync());
        Assert.Equal(0, await CountSessionsAsync(user.UserId));
    }

    [Fact]
    public async Task StandaloneTheRouteAnswersLoopbackCallersOnly()
    {
        await using var remote = _app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new RemoteCaller())));

        using var response = await remote.CreateClient().PostJsonAsync("/CleanupExpiredTokens", TimerPayload);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    private async Task<int> RunCleanupAsync()
    {
        using var response = await _client.PostJsonAsync("/CleanupExpiredTokens", TimerPayload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return LastRun().Removed;
    }

    /// <summary>What the last run reported, read from its structured log event (CleanupFinished), not from a sentence.</summary>
    private CleanupCounts LastRun()
    {
        var record = _app.Logs.GetSnapshot().Last(r => r.Id.Id == CleanupFinishedEventId);
        return new(Read("Removed"), Read("Refiled"), Read("Visited"));

        int Read(string name) => int.Parse(record.GetStructuredStateValue(name)!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private const int CleanupFinishedEventId = 1050;

    private sealed record CleanupCounts(int Removed, int Refiled, int Visited);

    private async Task<int> CountSessionsAsync(string userId)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {userId} and RowKey ge {"s:"} and RowKey lt {"s;"}");
        return (await _app.Table("UserSessions").QueryAsync<TableEntity>(filter).ToListAsync()).Count;
    }

    /// <summary>Makes requests look as if they came from another machine (a documentation address; nothing is sent).</summary>
    private sealed class RemoteCaller : IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(nextDelegate => context =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
                return nextDelegate(context);
            });
            next(app);
        };
    }
}
