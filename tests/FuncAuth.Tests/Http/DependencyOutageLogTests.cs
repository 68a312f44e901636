using System.Diagnostics.Metrics;
using System.Net;
using FuncAuth.Core.Diagnostics;
using FuncAuth.FaultSuite;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Http;

/// <summary>
/// What an outage writes: with the storage emulator stopped, each refused request logs one short line (its route, the
/// dependency, the class, the tries, the trace id), the stack trace appears once, the counter counts every failure, and
/// when storage is back one line says so.
/// </summary>
public sealed class DependencyOutageLogTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const int Requests = 10;
    private const string Category = "FuncAuth.Core.Diagnostics.DependencyHealth";

    [Fact]
    public async Task RequestsRefusedWhileStorageIsStoppedLogOneShortLineEachAStackTraceOnceAndTheRecoveryOnce()
    {
        var folder = Path.Combine(Path.GetTempPath(), "funcauth-outage-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var storage = await AzuriteProcess.StartAsync(folder);
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Storage__ConnectionString"] = storage.ConnectionString }, time);
            using var failures = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName, "funcauth.dependency.failures");
            var client = app.CreateClient();
            var tokens = await client.SignupAsync();

            await storage.KillAsync(hard: false);
            app.Logs.Clear();
            for (var i = 0; i < Requests; i++)
            {
                using var refused = i % 2 == 0 ? await client.GetAsync("/api/auth/me", tokens.AccessToken) : await client.RefreshAsync(tokens.RefreshToken);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                time.Advance(TimeSpan.FromMilliseconds(500));
            }

            var records = app.Logs.GetSnapshot();
            var all = string.Join('\n', records.Select(r => $"{r.Level} {r.Category}[{r.Id.Id}] {r.Message} {r.Exception?.GetType().Name}"));
            var lines = records.Where(r => r.Id.Id is 2200 or 2201).ToList();
            // One line per refused request, each naming the dependency, the class, the route, the tries and the trace id.
            Assert.True(lines.Count == Requests, all);
            Assert.All(lines, r => Assert.Equal(Category, r.Category));
            Assert.All(lines, r => Assert.Matches(@"^tables connection_refused on /api/auth/(me|refresh) after 2 attempt\(s\), trace [0-9a-zA-Z:-]+", r.Message));
            // None over 1 KB as the console writes it (one line per record, the exception on the same line), except the
            // one stack trace: per class per minute, there is one.
            var stackTraces = records.Where(r => r.Exception is not null).ToList();
            Assert.True(stackTraces.Count == 1, all);
            Assert.Equal(2200, stackTraces[0].Id.Id);
            Assert.All(records.Except(stackTraces), r => Assert.True(ConsoleBytes(r) < 1024, $"{ConsoleBytes(r)} bytes: {r.Message}"));
            Assert.DoesNotContain(records, r => r.Level >= LogLevel.Error);
            // The counter: every refused request, by dependency, class and route.
            var counted = failures.GetMeasurementSnapshot();
            Assert.Equal(Requests, counted.Sum(m => m.Value));
            Assert.All(counted, m => Assert.Equal(("tables", "connection_refused"), ((string?)m.Tags["dependency"], (string?)m.Tags["class"])));
            Assert.Equal(Requests / 2, counted.Where(m => (string?)m.Tags["route"] == "/api/auth/refresh").Sum(m => m.Value));

            await storage.RestartAsync();
            time.Advance(DependencyHealth.QuietPeriod);
            app.Logs.Clear();
            for (var i = 0; i < 2; i++)
            {
                using var me = await client.GetAsync("/api/auth/me", tokens.AccessToken);
                Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            }

            // The first failure came 5 s (of the test's clock) before the last; the first answer after 2 s more.
            var recovery = Assert.Single(app.Logs.GetSnapshot(), r => r.Category == Category);
            Assert.Equal(2203, recovery.Id.Id);
            Assert.Equal($"tables healthy again after 7.0 s, {Requests} requests answered 503", recovery.Message);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The record's size as the app's console formatter writes it ("warn: Category[id] message exception").</summary>
    private static int ConsoleBytes(FakeLogRecord record) =>
        System.Text.Encoding.UTF8.GetByteCount($"warn: {record.Category}[{record.Id.Id}] {record.Message} {record.Exception}");
}
