using System.Diagnostics.Metrics;
using System.Net;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace FuncAuth.Tests.Abuse;

/// <summary>
/// A request whose client address is a hop of the platform (the shape the Functions host's proxy writes:
/// one X-Forwarded-For entry, its private or loopback peer) skips the per-address limits and keeps the per-account
/// ones; a public address is still limited; the warning is logged once and the counter moves with each such request.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClientAddressFailSafeTests(AzuriteFixture azurite)
{
    private const int PerAddressFailures = 3;
    private const int PerAccountFailures = 6;
    private const int TokenRequests = 4;
    private const int UnknownAddressWarning = 2300;

    private static Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra) => Attack.Limited(
        [
            ("RateLimit__LoginFailuresPerAccountAndAddress__Limit", PerAddressFailures.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("RateLimit__LoginFailuresPerAccount__Limit", PerAccountFailures.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("RateLimit__TokenRequestsPerAddress__Limit", TokenRequests.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            .. extra,
        ]);

    [Theory]
    [InlineData("10.20.30.40")]
    [InlineData("127.0.0.1")]
    [InlineData("100.64.7.7")]
    public async Task TheHostsProxyShapeSkipsThePerAddressLimitsAndKeepsThePerAccountOne(string hostPeer)
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Settings(), Attack.Clock());
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var unknown = new MetricCollector<long>(meters, AuthMetrics.MeterName, "funcauth.client_address.unknown");
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        // Past the per-address failure limit, up to the per-account one: that one still holds.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= PerAccountFailures; i++)
        {
            using var guess = await client.LoginFromAsync(hostPeer, user.Email, Attack.WrongPassword);
            statuses.Add(guess.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, PerAccountFailures).Append(HttpStatusCode.TooManyRequests), statuses);

        // The per-address token limit (login, signup, refresh) is skipped too: more refreshes than it allows.
        for (var i = 0; i < TokenRequests + 2; i++)
        {
            using var refresh = await client.PostFromAsync(hostPeer, "/api/auth/refresh", new { refresh_token = "not-a-token" });
            Assert.NotEqual(HttpStatusCode.TooManyRequests, refresh.StatusCode);
        }

        // One count per request that skipped (7 logins and 6 refreshes), and one warning for the instance.
        Assert.Equal(PerAccountFailures + 1 + TokenRequests + 2, unknown.GetMeasurementSnapshot().Sum(m => m.Value));
        var warning = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == UnknownAddressWarning);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains(hostPeer, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APublicAddressIsStillLimitedAndTheCounterStaysStill()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Settings(), Attack.Clock());
        using var unknown = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName, "funcauth.client_address.unknown");
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= PerAddressFailures; i++)
        {
            using var guess = await client.LoginFromAsync("203.0.113.40", user.Email, Attack.WrongPassword);
            statuses.Add(guess.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, PerAddressFailures).Append(HttpStatusCode.TooManyRequests), statuses);

        // A private address the client writes in front of its own does not get it out of its limit.
        using var dodge = await client.LoginFromAsync("203.0.113.40", user.Email, Attack.WrongPassword, spoofed: "10.0.0.1");
        await Problem.AssertAsync(dodge, HttpStatusCode.TooManyRequests, "rate_limited");

        Assert.Empty(unknown.GetMeasurementSnapshot());
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Id == UnknownAddressWarning);
    }

    [Fact]
    public async Task TheClientAddressHeaderIsReadInsteadOfXForwardedFor()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Settings(("Network__ClientAddressHeader", "X-Azure-ClientIP")), Attack.Clock());
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        // The front end's header names one client; X-Forwarded-For (the host's proxy peer, or anything a client wrote)
        // changes nothing, so the per-address limit holds while it varies.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= PerAddressFailures; i++)
        {
            var request = Api.Json(HttpMethod.Post, "/api/auth/login", new { email = user.Email, password = Attack.WrongPassword });
            request.Headers.Add("X-Azure-ClientIP", "203.0.113.41");
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, PerAddressFailures).Append(HttpStatusCode.TooManyRequests), statuses);

        // Another client behind the same front end has its own bucket; a request without the header fails safe.
        var other = Api.Json(HttpMethod.Post, "/api/auth/login", new { email = user.Email, password = Attack.WrongPassword });
        other.Headers.Add("X-Azure-ClientIP", "203.0.113.42");
        using (var response = await client.SendAsync(other))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var without = await client.LoginFromAsync("203.0.113.41", user.Email, Attack.WrongPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == UnknownAddressWarning);
    }
}
