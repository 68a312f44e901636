using System.Collections.Concurrent;
using Azure;

namespace FuncAuth.Core.Abuse;

/// <summary>
/// The last state of each counter this instance wrote: its count and ETag. The next increment from this instance
/// replaces the counter conditional on that ETag straight away, one call instead of an insert that conflicts, a read
/// and a replace. It is only a guess: when another instance changed the counter meanwhile, the replace fails on the
/// ETag and the counter is read again, so no count is lost and no limit is exceeded.
/// </summary>
internal sealed class KnownCounters
{
    private const int SweepAbove = 10_000;
    private readonly ConcurrentDictionary<(string PartitionKey, string RowKey), Known> _counters = new();

    /// <summary>A copy of the counter as this instance last wrote it, or null.</summary>
    public RateCounterEntity? Find(string partitionKey, string rowKey) =>
        _counters.TryGetValue((partitionKey, rowKey), out var known)
            ? new RateCounterEntity { PartitionKey = partitionKey, RowKey = rowKey, Count = known.Count, ETag = known.ETag, WindowEnd = known.WindowEnd }
            : null;

    public void Remember(RateCounterEntity counter, DateTimeOffset now)
    {
        if (_counters.Count > SweepAbove)
        {
            foreach (var entry in _counters.Where(e => e.Value.WindowEnd <= now))
            {
                _counters.TryRemove(entry);
            }

            if (_counters.Count > SweepAbove)
            {
                // All live: more keys in one window than are worth remembering; start over rather than grow.
                _counters.Clear();
            }
        }

        _counters[(counter.PartitionKey, counter.RowKey)] = new(counter.Count, counter.ETag, counter.WindowEnd);
    }

    public void Forget(string partitionKey, string rowKey) => _counters.TryRemove((partitionKey, rowKey), out _);

    private readonly record struct Known(int Count, ETag ETag, DateTimeOffset WindowEnd);
}
