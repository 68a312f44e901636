using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Abuse;

/// <summary>
/// Fixed-window counters in Table Storage, shared by every instance. An increment is an insert (the first request of a
/// window, one call) or, when the counter exists, a read and a replace conditional on the ETag; a lost race (409 on
/// insert, 412 on replace) reads again, so concurrent increments on any number of instances never lose a count.
/// </summary>
internal sealed class RateLimitStore(AuthTables tables)
{
    public const int Shards = 64;
    private const int MaxAttempts = 10;

    private readonly KeyedGate _gate = new();

    public static (string PartitionKey, string RowKey) KeyOf(RateLimitName name, string key, DateTimeOffset windowEnd)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + key));
        var shard = hash[0] % Shards;
        return (
            string.Create(CultureInfo.InvariantCulture, $"{shard:x2}-{windowEnd.ToUnixTimeSeconds():D12}"),
            name + "-" + Convert.ToHexStringLower(hash, 0, 16));
    }

    /// <summary>Adds one to the counter unless it has reached <paramref name="limit"/>; the lease can take the one back.</summary>
    public async Task<RateLimitLease?> TryIncrementAsync(RateLimitName name, string key, int limit, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var (partitionKey, rowKey) = KeyOf(name, key, windowEnd);
        using var turn = await _gate.EnterAsync(partitionKey + rowKey, cancellationToken);
        var table = tables.RateLimits;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                var inserted = new RateCounterEntity { PartitionKey = partitionKey, RowKey = rowKey, Count = 1, WindowEnd = windowEnd };
                await table.AddRowAsync(inserted, cancellationToken);
                return new RateLimitLease(inserted);
            }
            catch (RequestFailedException e) when (e.IsConflict())
            {
            }

            var counter = await table.GetRowAsync<RateCounterEntity>(partitionKey, rowKey, cancellationToken);
            if (counter is null)
            {
                continue; // Released to zero and removed meanwhile: insert again.
            }

            if (counter.Count >= limit)
            {
                return null;
            }

            counter.Count++;
            if (await table.TryReplaceAsync(counter, cancellationToken))
            {
                return new RateLimitLease(counter);
            }
        }

        throw new StorageContentionException("A rate-limit counter kept changing during the update; retry later.");
    }

    /// <summary>Takes back the one the lease added (the counter is removed when it falls to zero).</summary>
    public async Task ReleaseAsync(RateLimitLease lease, CancellationToken cancellationToken)
    {
        var counter = lease.Counter;
        using var turn = await _gate.EnterAsync(counter.PartitionKey + counter.RowKey, cancellationToken);
        var table = tables.RateLimits;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                if (counter.Count <= 1)
                {
                    await table.DeleteEntityAsync(counter.PartitionKey, counter.RowKey, counter.ETag, cancellationToken);
                    return;
                }

                counter.Count--;
                await table.ReplaceRowAsync(counter, cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (e.IsLostRace())
            {
            }

            var current = await table.GetRowAsync<RateCounterEntity>(counter.PartitionKey, counter.RowKey, cancellationToken);
            if (current is null)
            {
                return;
            }

            counter = current;
        }

        throw new StorageContentionException("A rate-limit counter kept changing during the update; retry later.");
    }

    /// <summary>Removes the counter of the window, whatever it holds.</summary>
    public async Task ClearAsync(RateLimitName name, string key, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var (partitionKey, rowKey) = KeyOf(name, key, windowEnd);
        await tables.RateLimits.DeleteIfExistsAsync(partitionKey, rowKey, cancellationToken);
    }

    /// <summary>Removes counters whose window ended before <paramref name="now"/>: one range query per shard, then a delete each.</summary>
    public async Task<int> RemoveExpiredAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var removed = 0;
        var end = now.ToUnixTimeSeconds().ToString("D12", CultureInfo.InvariantCulture);
        for (var shard = 0; shard < Shards && removed < max; shard++)
        {
            var prefix = shard.ToString("x2", CultureInfo.InvariantCulture) + "-";
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + end}");
            await foreach (var counter in tables.RateLimits.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                await tables.RateLimits.DeleteIfExistsAsync(counter.PartitionKey, counter.RowKey, cancellationToken);

                if (++removed >= max)
                {
                    break;
                }
            }
        }

        return removed;
    }
}

/// <summary>One count taken from a limit, which <see cref="RateLimiter.ReleaseAsync"/> can give back.</summary>
public sealed class RateLimitLease
{
    internal RateLimitLease(RateCounterEntity counter) => Counter = counter;

    internal RateCounterEntity Counter { get; }
}
