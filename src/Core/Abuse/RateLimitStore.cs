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
/// window, one call) or a replace conditional on the ETag. The ETag is the one this instance last wrote
/// (<see cref="KnownCounters"/>), so while one instance serves a key an increment is one call; when another instance
/// changed the counter, or it was never seen here, the counter is read first. A lost race (409 on insert, 412 on
/// replace) reads again, so concurrent increments on any number of instances never lose a count.
/// </summary>
internal sealed class RateLimitStore(AuthTables tables, TimeProvider time)
{
    public const int Shards = 64;
    private const int MaxAttempts = 10;

    private readonly KeyedGate _gate = new();
    private readonly KnownCounters _known = new();

    /// <summary>Parts an account from an address in the keys of <see cref="RateLimitName.LoginFailuresPerAccountAndAddress"/>.</summary>
    public const char AccountSeparator = '|';

    /// <summary>
    /// Where a counter lives: partition = shard and window end, row = the limit's name and a digest of the key. The
    /// per-account-and-address counters of one account share their shard and a row prefix (the account's digest), so
    /// every address's counter of an account is one partition range query away (<see cref="ClearAllOfAccountAsync"/>).
    /// </summary>
    public static (string PartitionKey, string RowKey) KeyOf(RateLimitName name, string key, DateTimeOffset windowEnd)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + key));
        if (name == RateLimitName.LoginFailuresPerAccountAndAddress && key.LastIndexOf(AccountSeparator) is var at and >= 0)
        {
            var (partitionKey, prefix) = AccountRange(name, key[..at], windowEnd);
            return (partitionKey, prefix + Convert.ToHexStringLower(hash, 0, 16));
        }

        return (Partition(hash[0] % Shards, windowEnd), name + "-" + Convert.ToHexStringLower(hash, 0, 16));
    }

    /// <summary>The partition and row-key prefix of every per-address counter of <paramref name="account"/> in one window.</summary>
    private static (string PartitionKey, string RowPrefix) AccountRange(RateLimitName name, string account, DateTimeOffset windowEnd)
    {
        var accountHash = SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + account));
        return (Partition(accountHash[0] % Shards, windowEnd), name + "-" + Convert.ToHexStringLower(accountHash, 0, 16) + "-");
    }

    internal static string Partition(int shard, DateTimeOffset windowEnd) =>
        string.Create(CultureInfo.InvariantCulture, $"{shard:x2}-{windowEnd.ToUnixTimeSeconds():D12}");

    /// <summary>Adds one to the counter unless it has reached <paramref name="limit"/>; the lease can take the one back.</summary>
    public async Task<RateLimitLease?> TryIncrementAsync(RateLimitName name, string key, int limit, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var (partitionKey, rowKey) = KeyOf(name, key, windowEnd);
        using var turn = await _gate.EnterAsync(partitionKey + rowKey, cancellationToken);
        var table = tables.RateLimits;
        var counter = _known.Find(partitionKey, rowKey);
        // A remembered count is a guess: it is trusted to try a replace, never to refuse (another instance may have
        // given counts back since).
        var guessed = counter is not null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (counter is null)
            {
                try
                {
                    var inserted = new RateCounterEntity { PartitionKey = partitionKey, RowKey = rowKey, Count = 1, WindowEnd = windowEnd };
                    await table.AddRowAsync(inserted, cancellationToken);
                    return Leased(inserted);
                }
                catch (RequestFailedException e) when (e.IsConflict())
                {
                }
            }

            if (counter is null || (guessed && counter.Count >= limit))
            {
                guessed = false;
                counter = await table.GetRowAsync<RateCounterEntity>(partitionKey, rowKey, cancellationToken);
                if (counter is null)
                {
                    continue; // Released to zero and removed meanwhile: insert again.
                }
            }

            if (counter.Count >= limit)
            {
                _known.Forget(partitionKey, rowKey);
                return null;
            }

            counter.Count++;
            if (await table.TryReplaceAsync(counter, cancellationToken))
            {
                return Leased(counter);
            }

            // Changed on another instance since this one wrote or read it: read it again (none left: insert again).
            guessed = false;
            counter = await table.GetRowAsync<RateCounterEntity>(partitionKey, rowKey, cancellationToken);
        }

        throw new StorageContentionException("A rate-limit counter kept changing during the update; retry later.");
    }

    /// <summary>Takes back the one the lease added (the counter is removed when it falls to zero).</summary>
    public async Task ReleaseAsync(RateLimitLease lease, CancellationToken cancellationToken)
    {
        var counter = lease.Counter;
        using var turn = await _gate.EnterAsync(counter.PartitionKey + counter.RowKey, cancellationToken);
        // The lease's copy may be older than what this instance wrote since (a later increment of the same counter).
        counter = _known.Find(counter.PartitionKey, counter.RowKey) is { } newer && newer.WindowEnd == counter.WindowEnd ? newer : counter;
        var table = tables.RateLimits;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                if (counter.Count <= 1)
                {
                    await table.DeleteEntityAsync(counter.PartitionKey, counter.RowKey, counter.ETag, cancellationToken);
                    _known.Forget(counter.PartitionKey, counter.RowKey);
                    return;
                }

                counter.Count--;
                await table.ReplaceRowAsync(counter, cancellationToken);
                _known.Remember(counter, time.GetUtcNow());
                return;
            }
            catch (RequestFailedException e) when (e.IsLostRace())
            {
            }

            var current = await table.GetRowAsync<RateCounterEntity>(counter.PartitionKey, counter.RowKey, cancellationToken);
            if (current is null)
            {
                _known.Forget(counter.PartitionKey, counter.RowKey);
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
        _known.Forget(partitionKey, rowKey);
        await tables.RateLimits.DeleteIfExistsAsync(partitionKey, rowKey, cancellationToken);
    }

    /// <summary>
    /// Removes every per-address counter of <paramref name="account"/> in the window, whatever they hold: one range query
    /// of one partition, then one transaction per 100 counters. Returns how many there were.
    /// </summary>
    public async Task<int> ClearAllOfAccountAsync(RateLimitName name, string account, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var (partitionKey, prefix) = AccountRange(name, account, windowEnd);
        var rowKeys = new List<string>();
        // '-' + 1 = '.': the first key after every key with the prefix.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + "."}");
        await foreach (var counter in tables.RateLimits.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            rowKeys.Add(counter.RowKey);
            _known.Forget(partitionKey, counter.RowKey);
        }

        // A counter given back to zero meanwhile is gone already: the helper then deletes the rest one by one.
        await tables.RateLimits.DeleteRowsAsync(partitionKey, rowKeys, cancellationToken);
        return rowKeys.Count;
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

    private RateLimitLease Leased(RateCounterEntity counter)
    {
        _known.Remember(counter, time.GetUtcNow());
        return new RateLimitLease(counter);
    }
}

/// <summary>One count taken from a limit, which <see cref="AbuseLimits.ReleaseAsync"/> can give back.</summary>
public sealed class RateLimitLease
{
    internal RateLimitLease(RateCounterEntity counter) => Counter = counter;

    internal RateCounterEntity Counter { get; }
}
