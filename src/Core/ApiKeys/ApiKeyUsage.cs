using System.Collections.Concurrent;
using Azure;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.ApiKeys;

/// <summary>
/// Records a key's last use at most once per <see cref="Interval"/>, off the request's path: the write is started and
/// not awaited, and its failure is logged, never answered. Within an instance only the first use in an interval tries a
/// write; across instances the write is conditional on the row's ETag, so one of them wins and the others are told 412.
/// </summary>
public sealed class ApiKeyUsage(ApiKeyStore store, TimeProvider time, ILogger<ApiKeyUsage> logger)
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int PruneAbove = 10_000;

    // Key id → when this instance last tried to write it (UTC ticks).
    private readonly ConcurrentDictionary<string, long> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _pending = new();

    internal void Record(ApiKeyEntity key)
    {
        var now = time.GetUtcNow();
        if (key.LastUsedAt is { } last && now - last < Interval)
        {
            return;
        }

        if (!TryClaim(key.KeyId, now.UtcTicks))
        {
            return;
        }

        var write = Task.Run(() => WriteAsync(key, now));
        _pending.TryAdd(write, 0);
        write.ContinueWith(t => _pending.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Completes when every write started so far has finished (tests and shutdown).</summary>
    internal Task WhenIdleAsync() => Task.WhenAll(_pending.Keys);

    private bool TryClaim(string keyId, long nowTicks)
    {
        if (_attempts.Count > PruneAbove)
        {
            foreach (var (id, ticks) in _attempts)
            {
                if (nowTicks - ticks >= Interval.Ticks)
                {
                    _attempts.TryRemove(new KeyValuePair<string, long>(id, ticks));
                }
            }
        }

        while (true)
        {
            if (!_attempts.TryGetValue(keyId, out var previous))
            {
                if (_attempts.TryAdd(keyId, nowTicks))
                {
                    return true;
                }

                continue;
            }

            if (nowTicks - previous < Interval.Ticks)
            {
                return false;
            }

            if (_attempts.TryUpdate(keyId, nowTicks, previous))
            {
                return true;
            }
        }
    }

    private async Task WriteAsync(ApiKeyEntity key, DateTimeOffset usedAt)
    {
        try
        {
            // Not the request's token: the request may be over before the write is.
            if (!await store.TryTouchAsync(key, usedAt, CancellationToken.None))
            {
                ApiKeyLog.LastUsedRaceLost(logger, key.KeyId);
            }
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or OperationCanceledException or TimeoutException or AggregateException)
        {
            ApiKeyLog.LastUsedWriteFailed(logger, key.KeyId, e.GetType().Name);
        }
    }
}
