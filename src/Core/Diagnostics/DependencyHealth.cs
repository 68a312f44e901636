using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Diagnostics;

/// <summary>
/// What an outage of a dependency writes: every failure is counted (<c>funcauth.dependency.failures</c>); the first of
/// each class per dependency per minute is logged in full at Warning (its stack trace once), the others in one short
/// line each; while they go on, one summary line per class per minute; and once the dependency answers again, one
/// recovery line with the outage's length and how many failures it caused. A failure in no known class is logged with
/// its stack trace every time: it may be a bug.
/// </summary>
public sealed partial class DependencyHealth(TimeProvider time, AuthMetrics metrics, ILogger<DependencyHealth> logger)
{
    /// <summary>A class of failure of a dependency is logged in full at most once per this long, and summed up as often.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A dependency is healthy again once it answers and has not failed for this long: a service that throttles one call
    /// in ten is not "recovered" between two of them.
    /// </summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    /// <summary>The route given for failures outside a request: the outbox's sends.</summary>
    public const string OutboxRoute = "outbox";

    private readonly Lock _gate = new();
    private readonly Dictionary<(Dependency, DependencyFailureClass?), ClassWindow> _windows = [];
    private readonly Outage?[] _outages = new Outage?[Enum.GetValues<Dependency>().Length];

    // A bit per dependency with an outage under way, so a success costs one read when all is well.
    private volatile int _failing;

    /// <summary>
    /// Counts and logs a failure. <paramref name="failure"/> null: not from a known dependency, logged with its stack.
    /// <paramref name="lineEach"/> false: the caller writes its own line for each failure (the outbox's send tries).
    /// </summary>
    public void Failed(Exception exception, DependencyFailure? failure, string route, string? traceId, bool lineEach = true)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var dependency = failure is { } f ? DependencyFailure.Name(f.Dependency) : "unknown";
        var failureClass = DependencyFailure.Name(failure?.Class);
        metrics.DependencyFailed(dependency, failureClass, route);
        if (failure is not { } known)
        {
            LogUnclassified(logger, route, dependency, exception.GetType().Name, traceId ?? "-", exception);
            return;
        }

        // The outbox's sends belong to no request.
        traceId ??= "-";
        var now = time.GetTimestamp();
        bool first;
        int summarised;
        lock (_gate)
        {
            var outage = _outages[(int)known.Dependency] ??= new Outage(now);
            outage.LastFailure = now;
            outage.SuccessSinceLastFailure = null;
            if (route == OutboxRoute)
            {
                outage.Retried++;
            }
            else
            {
                outage.Answered503++;
            }

            _failing |= 1 << (int)known.Dependency;
            var key = (known.Dependency, known.Class);
            if (!_windows.TryGetValue(key, out var window) || time.GetElapsedTime(window.Start, now) >= Window)
            {
                summarised = window?.Count ?? 0;
                _windows[key] = new ClassWindow(now) { Count = 1 };
                first = true;
            }
            else
            {
                window.Count++;
                summarised = 0;
                first = false;
            }
        }

        if (summarised > 1)
        {
            LogSummary(logger, dependency, summarised, failureClass);
        }

        if (known.Class is null)
        {
            LogUnclassified(logger, route, dependency, exception.GetType().Name, traceId, exception);
        }
        else if (first)
        {
            LogFirstInFull(logger, dependency, failureClass, route, known.Attempts, traceId, exception);
        }
        else if (lineEach)
        {
            LogFailure(logger, dependency, failureClass, route, known.Attempts, traceId);
        }
    }

    /// <summary>The dependency answered; if it had been failing and has not failed for <see cref="QuietPeriod"/>, its recovery is logged once.</summary>
    public void Succeeded(Dependency dependency)
    {
        if ((_failing & (1 << (int)dependency)) == 0)
        {
            return;
        }

        var now = time.GetTimestamp();
        Outage recovered;
        lock (_gate)
        {
            if (_outages[(int)dependency] is not { } outage)
            {
                return;
            }

            outage.SuccessSinceLastFailure ??= now;
            if (time.GetElapsedTime(outage.LastFailure, now) < QuietPeriod)
            {
                return;
            }

            recovered = outage;
            _outages[(int)dependency] = null;
            _failing &= ~(1 << (int)dependency);
        }

        var seconds = time.GetElapsedTime(recovered.Start, recovered.SuccessSinceLastFailure.Value).TotalSeconds;
        var name = DependencyFailure.Name(dependency);
        if (recovered.Retried == 0)
        {
            LogRecovered(logger, name, seconds, recovered.Answered503);
        }
        else
        {
            LogRecoveredWithRetries(logger, name, seconds, recovered.Answered503, recovered.Retried);
        }
    }

    [LoggerMessage(2200, LogLevel.Warning, "{Dependency} {FailureClass} on {Route} after {Attempts} attempt(s), trace {TraceId} (the first of its class this minute, in full; the rest are one line each)")]
    private static partial void LogFirstInFull(ILogger logger, string dependency, string failureClass, string route, int attempts, string? traceId, Exception exception);

    [LoggerMessage(2201, LogLevel.Warning, "{Dependency} {FailureClass} on {Route} after {Attempts} attempt(s), trace {TraceId}")]
    private static partial void LogFailure(ILogger logger, string dependency, string failureClass, string route, int attempts, string? traceId);

    [LoggerMessage(2202, LogLevel.Warning, "{Dependency}: {Count:N0} {FailureClass} failures in the last minute")]
    private static partial void LogSummary(ILogger logger, string dependency, int count, string failureClass);

    [LoggerMessage(2203, LogLevel.Information, "{Dependency} healthy again after {OutageSeconds:N1} s, {Answered503:N0} requests answered 503")]
    private static partial void LogRecovered(ILogger logger, string dependency, double outageSeconds, int answered503);

    [LoggerMessage(2204, LogLevel.Information, "{Dependency} healthy again after {OutageSeconds:N1} s, {Answered503:N0} requests answered 503, {Retried:N0} outbox sends left to their retry")]
    private static partial void LogRecoveredWithRetries(ILogger logger, string dependency, double outageSeconds, int answered503, int retried);

    [LoggerMessage(2205, LogLevel.Error, "{Route} failed on {Dependency} ({ExceptionType}, not a known class of failure), trace {TraceId}")]
    private static partial void LogUnclassified(ILogger logger, string route, string dependency, string exceptionType, string? traceId, Exception exception);

    private sealed class ClassWindow(long start)
    {
        public long Start { get; } = start;

        public int Count { get; set; }
    }

    private sealed class Outage(long start)
    {
        public long Start { get; } = start;

        public long LastFailure { get; set; } = start;

        public long? SuccessSinceLastFailure { get; set; }

        public int Answered503 { get; set; }

        public int Retried { get; set; }
    }
}
