using System.Diagnostics.Metrics;
using System.Net;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace FuncAuth.Tests.Telemetry;

/// <summary>The auth counters move with the events, tagged by outcome or reason and never by who.</summary>
public sealed class AuthMetricsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly string[] Instruments =
        ["funcauth.signups", "funcauth.logins", "funcauth.refreshes", "funcauth.reuse_detected", "funcauth.revocations", "funcauth.admin_actions", "funcauth.rate_limited"];

    [Fact]
    public async Task LoginsRefreshesReuseAndRevocationsAreCountedByOutcomeAndReason()
    {
        var time = Attack.Clock();
        // Two failures per account and address, so the third guess is locked out.
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(("RateLimit__LoginFailuresPerAccountAndAddress__Limit", "2")), time);
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var collectors = Instruments.ToDictionary(name => name, name => new MetricCollector<long>(meters, AuthMetrics.MeterName, name));
        var client = app.CreateClient();

        var admin = await client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await client.SignupAsync();
        var login = await client.LoginAsync(user.Email);
        using (var rotated = await client.RefreshAsync(login.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        // The spent token past the reuse interval: reuse detected, the login's session revoked.
        time.Advance(TimeSpan.FromSeconds(11));
        using (var reused = await client.RefreshAsync(login.RefreshToken))
        {
            await Problem.AssertAsync(reused, HttpStatusCode.Unauthorized, "refresh_token_reused");
        }

        // The sign-up's session: ended by a logout.
        using (var logout = await client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/logout", user.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        // A fresh session, ended by the admin.
        await client.LoginAsync(user.Email);
        using (var forced = await client.PostJsonAsync($"/api/users/{user.UserId}/force-logout", new { }, admin.AccessToken))
        {
            Assert.True(forced.IsSuccessStatusCode, $"force-logout answered {(int)forced.StatusCode}");
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var guess = await client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = Attack.WrongPassword });
            Assert.Equal(attempt < 2 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, guess.StatusCode);
        }

        Assert.Equal(2, Sum(collectors["funcauth.signups"], "outcome", "created"));
        Assert.Equal(2, Sum(collectors["funcauth.logins"], "outcome", "ok"));
        Assert.Equal(2, Sum(collectors["funcauth.logins"], "outcome", "failed"));
        Assert.Equal(1, Sum(collectors["funcauth.logins"], "outcome", "locked"));
        Assert.Equal(1, Sum(collectors["funcauth.refreshes"], "outcome", "rotated"));
        Assert.Equal(1, Sum(collectors["funcauth.refreshes"], "outcome", "reused"));
        Assert.Equal(1, collectors["funcauth.reuse_detected"].GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, Sum(collectors["funcauth.revocations"], "reason", "refresh_token_reused"));
        Assert.Equal(1, Sum(collectors["funcauth.revocations"], "reason", "logout"));
        Assert.Equal(1, Sum(collectors["funcauth.revocations"], "reason", "force_logout"));
        Assert.Equal(1, Sum(collectors["funcauth.admin_actions"], "action", "force_logout"));
        Assert.Equal(1, Sum(collectors["funcauth.rate_limited"], "limit", "login_failures_per_account_and_address"));

        // Low cardinality: one fixed tag per counter, never an id or an address.
        var measurements = collectors.Values.SelectMany(c => c.GetMeasurementSnapshot()).ToList();
        Assert.All(measurements, m => Assert.True(m.Tags.Count <= 1 && m.Tags.Keys.All(k => k is "outcome" or "reason" or "action" or "limit"), string.Join(',', m.Tags.Keys)));
        var values = string.Join(' ', measurements.SelectMany(m => m.Tags.Values));
        foreach (var identifying in new[] { admin.UserId, user.UserId, admin.Email, user.Email, "@" })
        {
            Assert.DoesNotContain(identifying, values, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var collector in collectors.Values)
        {
            collector.Dispose();
        }
    }

    [Fact]
    public async Task ARefusedAndAnAcceptedApiKeyAreCounted()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        using var collector = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName, "funcauth.api_key_authentications");
        var client = app.CreateClient();
        var user = await client.SignupAsync();
        using var created = await client.PostJsonAsync("/api/auth/api-keys", new { name = "metrics", expiresInDays = 1, scope = "user" }, user.AccessToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.ReadJsonAsync()).GetProperty("key").GetString()!;

        foreach (var presented in new[] { key, key[..^4] + "AAAA" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
            request.Headers.Add("X-API-Key", presented);
            using var response = await client.SendAsync(request);
            Assert.Equal(presented == key ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(1, Sum(collector, "outcome", "ok"));
        Assert.Equal(1, Sum(collector, "outcome", "refused"));
    }

    private static long Sum(MetricCollector<long> collector, string tag, string value) =>
        collector.GetMeasurementSnapshot().Where(m => m.Tags.TryGetValue(tag, out var v) && Equals(v, value)).Sum(m => m.Value);
}
