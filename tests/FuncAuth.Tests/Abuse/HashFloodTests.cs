using System.Diagnostics;
using System.Net;
using FuncAuth.Tests.Support;
using Xunit.Abstractions;

namespace FuncAuth.Tests.Abuse;

/// <summary>Hashing is bounded per instance, so a login flood gets 503s instead of starving refresh and me.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HashFloodTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task SixtyFourConcurrentLoginsGetAnswersOr503WithRetryAfterWhileRefreshAndMeKeepWorking()
    {
        await using var app = await StartWithTwoSlotsAsync();
        var flood = app.CreateClient();
        var other = app.CreateClient();
        var victim = await flood.SignupAsync();
        var session = await other.SignupAsync();

        var current = new[] { session.RefreshToken };
        var before = await RefreshAndMeAsync(other, current, TimeSpan.FromSeconds(1));

        var logins = Task.WhenAll(Enumerable.Range(0, 64).Select(i => flood.PostJsonAsync("/api/auth/login", new
        {
            email = victim.Email,
            password = i % 2 == 0 ? Api.Password : Attack.WrongPassword,
        })));
        var during = await RefreshAndMeAsync(other, current, TimeSpan.Zero, until: logins);
        var responses = await logins;

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable }));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.True(responses.Length - refused.Count >= 2 + 20, "the slots and the queue are served");
        foreach (var response in refused)
        {
            await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "service_unavailable");
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        Assert.All(during.Statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        output.WriteLine($"refresh+me p50/p99 before: {before.P50:F1}/{before.P99:F1} ms over {before.Count}; during the flood: {during.P50:F1}/{during.P99:F1} ms over {during.Count}; flood: {responses.Length - refused.Count} answered, {refused.Count} got 503");
    }

    [Fact]
    public async Task SixteenConcurrentLoginsWithTheDefaultHashingAllWaitTheirTurn()
    {
        // Flex Consumption sends an instance 16 requests at once by default; on two cores (one hash slot, a queue of 20 by
        // default) none of them may get a 503.
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__MaxQueuedHashes"] = null });
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.PostJsonAsync("/api/auth/login", new
        {
            email = user.Email,
            password = i % 2 == 0 ? Api.Password : Attack.WrongPassword,
        })));

        Assert.Equal(8, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(8, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
    }

    /// <summary>Two hash slots (both cores of a 2-core instance hashing) and the default queue (one second of hashing: 2 × 10).</summary>
    private Task<FuncAuthApp> StartWithTwoSlotsAsync() => FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?>
    {
        ["Auth__MaxConcurrentHashes"] = "2",
        ["Auth__MaxQueuedHashes"] = null,
    });

    private static async Task<(double P50, double P99, int Count, List<HttpStatusCode> Statuses)> RefreshAndMeAsync(
        HttpClient client, string[] refreshToken, TimeSpan duration, Task? until = null)
    {
        var samples = new List<double>();
        var statuses = new List<HttpStatusCode>();
        var clock = Stopwatch.StartNew();
        while (until is null ? clock.Elapsed < duration : !until.IsCompleted || samples.Count < 10)
        {
            var start = Stopwatch.GetTimestamp();
            using var refresh = await client.RefreshAsync(refreshToken[0]);
            statuses.Add(refresh.StatusCode);
            Assert.True(refresh.StatusCode == HttpStatusCode.OK, $"refresh answered {(int)refresh.StatusCode}: {await refresh.Content.ReadAsStringAsync()}");
            var issued = await Tokens.ReadAsync(refresh);
            refreshToken[0] = issued.RefreshToken;
            using var me = await client.GetAsync("/api/auth/me", issued.AccessToken);
            statuses.Add(me.StatusCode);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        samples.Sort();
        return (samples[samples.Count / 2], samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(samples.Count * 0.99) - 1)], samples.Count, statuses);
    }
}
