using System.Net;
using Azure.Data.Tables;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Abuse;

/// <summary>The timer route and the outbox's SendEmail answer the Functions host's own invocations only.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostInvocationTests(AzuriteFixture azurite)
{
    private static readonly object TimerPayload = new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } };

    public static TheoryData<string, string> ProxiedRequests => new()
    {
        { "/CleanupExpiredTokens", "X-Forwarded-For: 203.0.113.9" },
        { "/cleanupexpiredtokens", "X-Forwarded-For: 127.0.0.1" },
        { "/CleanupExpiredTokens/", "Forwarded: for=203.0.113.9" },
        { "/CLEANUPEXPIREDTOKENS", "Host: funcauth-abc.azurewebsites.net" },
        { "/CleanupExpiredTokens", "X-Original-URL: /api/health" },
        { "/CleanupExpiredTokens", "Disguised-Host: funcauth-abc.azurewebsites.net" },
        { "/CleanupExpiredTokens", "X-ARR-LOG-ID: 0f0e0d0c" },
        { "/SendEmail", "X-Forwarded-For: 203.0.113.9" },
        { "/sendemail/", "Host: funcauth-abc.azurewebsites.net" },
        { "/SENDEMAIL", "Disguised-Host: funcauth-abc.azurewebsites.net" },
    };

    [Theory]
    [MemberData(nameof(ProxiedRequests))]
    public async Task ARequestWithTheMarksOfTheHostsProxyIsNotFound(string path, string header)
    {
        var client = azurite.App.CreateClient();
        var request = Api.Json(HttpMethod.Post, path, TimerPayload);
        var (name, value) = (header[..header.IndexOf(':', StringComparison.Ordinal)], header[(header.IndexOf(':', StringComparison.Ordinal) + 2)..]);
        if (name == "Host")
        {
            request.Headers.Host = value;
        }
        else
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task TheTimerAlsoRemovesRateLimitCountersWhoseWindowEnded()
    {
        var time = Attack.Clock();
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(), time);
        var client = app.CreateClient();
        using (var failed = await client.LoginFromAsync("192.0.2.9", Api.NewEmail(), Attack.WrongPassword))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        Assert.Equal(3, await CountersAsync(app));
        time.Advance(TimeSpan.FromMinutes(10)); // past the 5-minute address window, inside the others
        using (var first = await client.PostJsonAsync("/CleanupExpiredTokens", TimerPayload))
        {
            Assert.Contains("Removed 1 ended rate-limit counter(s).", (await first.ReadJsonAsync()).GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        }

        time.Advance(TimeSpan.FromHours(1));
        using var second = await client.PostJsonAsync("/CleanupExpiredTokens", TimerPayload);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(0, await CountersAsync(app));
    }

    [Fact]
    public async Task TheHostsOwnInvocationStillRuns()
    {
        using var response = await azurite.App.CreateClient().PostJsonAsync("/cleanupexpiredtokens/", TimerPayload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<int> CountersAsync(FuncAuthApp app) =>
        (await app.Table("RateLimits").QueryAsync<TableEntity>().ToListAsync()).Count;
}
