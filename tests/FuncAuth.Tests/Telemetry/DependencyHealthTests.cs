using System.Diagnostics.Metrics;
using System.Net.Sockets;
using FuncAuth.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Telemetry;

/// <summary>
/// An outage's log: each class's first failure per dependency per minute in full, the others one line each, a summary
/// per minute while they go on, one recovery line; and every failure counted.
/// </summary>
public sealed class DependencyHealthTests : IDisposable
{
    private static readonly DependencyFailure Refused = new(Dependency.Tables, DependencyFailureClass.ConnectionRefused, 2);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeLogger<DependencyHealth> _logger = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricCollector<long> _failures;
    private readonly DependencyHealth _health;

    public DependencyHealthTests()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        _failures = new MetricCollector<long>(meters, AuthMetrics.MeterName, "funcauth.dependency.failures");
        _health = new DependencyHealth(_time, new AuthMetrics(meters), _logger);
    }

    public void Dispose()
    {
        _failures.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void TheFirstFailureOfAClassThisMinuteIsLoggedInFullAndTheRestInOneLineEach()
    {
        for (var i = 0; i < 5; i++)
        {
            _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused, "/api/auth/me", "trace" + i);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var records = _logger.Collector.GetSnapshot();
        Assert.Equal([2200, 2201, 2201, 2201, 2201], records.Select(r => r.Id.Id));
        Assert.All(records, r => Assert.Equal(LogLevel.Warning, r.Level));
        Assert.NotNull(records[0].Exception);
        Assert.All(records.Skip(1), r => Assert.Null(r.Exception));
        Assert.Equal("tables connection_refused on /api/auth/me after 2 attempt(s), trace trace3", records[3].Message);
        Assert.Equal(5, _failures.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(_failures.GetMeasurementSnapshot(), m => Assert.Equal(
            new Dictionary<string, object?> { ["dependency"] = "tables", ["class"] = "connection_refused", ["route"] = "/api/auth/me" },
            m.Tags.ToDictionary(t => t.Key, t => t.Value)));
    }

    [Fact]
    public void WhileFailuresGoOnEachMinuteIsSummedUpAndItsFirstFailureLoggedInFullAgain()
    {
        for (var i = 0; i < 1742; i++)
        {
            _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused, "/api/auth/refresh", null);
        }

        _time.Advance(DependencyHealth.Window - TimeSpan.FromMilliseconds(1));
        _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused, "/api/auth/refresh", null);
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Id.Id == 2202);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _logger.Collector.Clear();
        _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused, "/api/auth/refresh", null);

        var records = _logger.Collector.GetSnapshot();
        Assert.Equal([2202, 2200], records.Select(r => r.Id.Id));
        Assert.Equal("tables: 1,743 connection_refused failures in the last minute", records[0].Message);
        Assert.NotNull(records[1].Exception);
    }

    [Fact]
    public void EachClassAndEachDependencyHasItsOwnFirstFailureInFull()
    {
        _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused, "/api/auth/me", null);
        _health.Failed(new TimeoutException(), Refused with { Class = DependencyFailureClass.Timeout }, "/api/auth/me", null);
        _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused with { Dependency = Dependency.Queue }, "/api/auth/password/forgot", null);
        _health.Failed(new TimeoutException(), Refused with { Class = DependencyFailureClass.Timeout }, "/api/auth/me", null);

        Assert.Equal([2200, 2200, 2200, 2201], _logger.Collector.GetSnapshot().Select(r => r.Id.Id));
    }

    [Fact]
    public void AnUnclassifiedFailureKeepsItsStackTraceEveryTime()
    {
        _health.Failed(new InvalidOperationException("one"), null, "/api/auth/me", null);
        _health.Failed(new InvalidOperationException("two"), Refused with { Class = null }, "/api/auth/me", null);
        _health.Failed(new InvalidOperationException("three"), Refused with { Class = null }, "/api/auth/me", null);

        var records = _logger.Collector.GetSnapshot();
        Assert.Equal([2205, 2205, 2205], records.Select(r => r.Id.Id));
        Assert.All(records, r => Assert.Equal(LogLevel.Error, r.Level));
        Assert.All(records, r => Assert.NotNull(r.Exception));
        Assert.Equal(["unknown", "tables", "tables"], _failures.GetMeasurementSnapshot().Select(m => m.Tags["dependency"]));
        Assert.All(_failures.GetMeasurementSnapshot(), m => Assert.Equal("other", m.Tags["class"]));
    }

    [Fact]
    public void RecoveryIsLoggedOnceWhenTheDependencyAnswersAndHasStoppedFailing()
    {
        _health.Succeeded(Dependency.Tables);
        for (var i = 0; i < 126; i++)
        {
            _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused, "/api/auth/me", null);
            _time.Advance(TimeSpan.FromMilliseconds(49));
        }

        // 126 × 49 ms after the first failure the tables answer; the last failure was 49 ms ago, so not yet "recovered".
        _logger.Collector.Clear();
        _health.Succeeded(Dependency.Tables);
        _time.Advance(DependencyHealth.QuietPeriod);
        _health.Succeeded(Dependency.Tables);
        _health.Succeeded(Dependency.Tables);
        _health.Succeeded(Dependency.Queue);

        var record = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(2203, record.Id.Id);
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Equal("tables healthy again after 6.2 s, 126 requests answered 503", record.Message);
    }

    [Fact]
    public void AFailureBetweenTwoSuccessesPutsTheRecoveryOff()
    {
        _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused, "/api/auth/me", null);
        _time.Advance(TimeSpan.FromSeconds(1));
        _health.Succeeded(Dependency.Tables);
        _time.Advance(TimeSpan.FromSeconds(1));
        _health.Failed(new SocketException((int)SocketError.ConnectionRefused), Refused, "/api/auth/me", null);
        _time.Advance(DependencyHealth.QuietPeriod);
        _health.Succeeded(Dependency.Tables);

        var recovery = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id is 2203 or 2204);
        Assert.Equal("tables healthy again after 4.0 s, 2 requests answered 503", recovery.Message);
    }

    [Fact]
    public void TheOutboxsFailedSendsAreCountedAndSummedUpButItWritesItsOwnLineForEach()
    {
        var smtp = new DependencyFailure(Dependency.Smtp, DependencyFailureClass.ConnectionRefused, 3);
        for (var i = 0; i < 3; i++)
        {
            _health.Failed(new SocketException((int)SocketError.ConnectionRefused), smtp, DependencyHealth.OutboxRoute, null, lineEach: false);
        }

        _time.Advance(DependencyHealth.QuietPeriod);
        _health.Succeeded(Dependency.Smtp);

        Assert.Equal([2200, 2204], _logger.Collector.GetSnapshot().Select(r => r.Id.Id));
        Assert.Equal("smtp healthy again after 2.0 s, 0 requests answered 503, 3 outbox sends left to their retry", _logger.LatestRecord.Message);
        Assert.Equal(3, _failures.GetMeasurementSnapshot().Sum(m => m.Value));
    }
}
