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
/// replace) reads again, so concurrent increments on any number of instances never lose a count. Two counters of one
/// partition (the failure counters of one account) are counted together: both writes in one entity group transaction,
/// each conditional as above, so both are counted or neither, in one call.
/// </summary>
public sealed class RateLimitStore(AuthTables tables, TimeProvider time)
{
    internal const int Shards = 64;
    private const int MaxAttempts = 10;

    private readonly KeyedGate _gate = new();
    private readonly KnownCounters _known = new();

    /// <summary>Where a per-key counter lives: partition = shard and window end, row = the limit's name and a digest of the key.</summary>
    internal static (string PartitionKey, string RowKey) KeyOf(RateLimitName name, string key, DateTimeOffset windowEnd)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + key));
        return (Partition(hash[0] % Shards, windowEnd), name + "-" + Convert.ToHexStringLower(hash, 0, 16));
    }

    /// <summary>
    /// Where the failure counters of <paramref name="account"/> live: one partition (the account's shard and the later
    /// of the two windows' ends), so a login counts both in one transaction. Rows: <c>LoginFailuresPerAccount-&lt;account
    /// digest&gt;-&lt;window end&gt;</c> and, for <paramref name="clientAddress"/>, <c>LoginFailuresPerAccountAndAddress-&lt;account
    /// digest&gt;-&lt;window end&gt;-&lt;digest of both&gt;</c>: every address's counter of the account in a window shares a row
    /// prefix (<see cref="ClearLoginFailuresAsync"/>). The longer window is a whole multiple of the shorter
    /// (<see cref="RateLimitOptions"/>), so a counter's partition does not change within its window.
    /// </summary>
    internal static LoginFailureRows LoginFailureKeys(string account, string? clientAddress, DateTimeOffset accountWindowEnd, DateTimeOffset pairWindowEnd)
    {
        var accountHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RateLimitName.LoginFailuresPerAccountAndAddress + "\n" + account)), 0, 16);
        var partitionKey = Partition(Convert.ToInt32(accountHash[..2], 16) % Shards, accountWindowEnd > pairWindowEnd ? accountWindowEnd : pairWindowEnd);
        var accountRow = string.Create(CultureInfo.InvariantCulture, $"{RateLimitName.LoginFailuresPerAccount}-{accountHash}-{accountWindowEnd.ToUnixTimeSeconds():D12}");
        var pairPrefix = string.Create(CultureInfo.InvariantCulture, $"{RateLimitName.LoginFailuresPerAccountAndAddress}-{accountHash}-{pairWindowEnd.ToUnixTimeSeconds():D12}-");
        var pairRow = clientAddress is null
            ? null
            : pairPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RateLimitName.LoginFailuresPerAccountAndAddress + "\n" + account + "\n" + clientAddress)), 0, 16);
        return new(partitionKey, accountRow, pairRow, pairPrefix);
    }

    internal static string Partition(int shard, DateTimeOffset windowEnd) =>
        string.Create(CultureInfo.InvariantCulture, $"{shard:x2}-{windowEnd.ToUnixTimeSeconds():D12}");

    /// <summary>Adds one to the counter unless it has reached <paramref name="limit"/>; the lease can take the one back.</summary>
    internal async Task<RateLimitLease?> TryIncrementAsync(RateLimitName name, string key, int limit, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var (partitionKey, rowKey) = KeyOf(name, key, windowEnd);
        return (await TryIncrementAllAsync([new(partitionKey, rowKey, limit, windowEnd)], cancellationToken)).Lease;
    }

    /// <summary>
    /// Adds one to each counter (one or two, of one partition) unless one has reached its limit: all or none, in one
    /// call while this instance knows their ETags. Full: the index of the first counter at its limit (none counted).
    /// </summary>
    internal async Task<(RateLimitLease? Lease, int Full)> TryIncrementAllAsync(IReadOnlyList<CounterSlot> slots, CancellationToken cancellationToken)
    {
        var turns = await EnterAsync(slots.Select(s => s.PartitionKey + s.RowKey), cancellationToken);
        try
        {
            var counters = slots.Select(s => _known.Find(s.PartitionKey, s.RowKey)).ToArray();
            // A remembered count is a guess: it is trusted to try a write, never to refuse (another instance may have
            // given counts back since).
            var guessed = counters.Select(c => c is not null).ToArray();
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                if (Enumerable.Range(0, slots.Count).Any(i => guessed[i] && counters[i]!.Count >= slots[i].Limit))
                {
                    counters = await ReadAsync(slots, cancellationToken);
                    Array.Fill(guessed, false);
                }

                for (var i = 0; i < slots.Count; i++)
                {
                    if (counters[i] is { } full && full.Count >= slots[i].Limit)
                    {
                        _known.Forget(full.PartitionKey, full.RowKey);
                        return (null, i);
                    }
                }

                // Absent (never seen here, or read and missing): an insert, which fails if another instance made it first.
                var next = slots.Select((s, i) => new RateCounterEntity
                {
                    PartitionKey = s.PartitionKey, RowKey = s.RowKey, Count = (counters[i]?.Count ?? 0) + 1, WindowEnd = s.WindowEnd, ETag = counters[i]?.ETag ?? default,
                }).ToArray();
                if (await TryWriteAsync(next, counters.Select(c => c is null ? TableTransactionActionType.Add : TableTransactionActionType.UpdateReplace).ToArray(), cancellationToken))
                {
                    var now = time.GetUtcNow();
                    foreach (var counter in next)
                    {
                        _known.Remember(counter, now);
                    }

                    return (new RateLimitLease(next), -1);
                }

                // Changed on another instance since this one wrote or read it: read again (none left: insert again).
                counters = await ReadAsync(slots, cancellationToken);
                Array.Fill(guessed, false);
            }
        }
        finally
        {
            Leave(turns);
        }

        throw new StorageContentionException("A rate-limit counter kept changing during the update; retry later.");
    }

    /// <summary>Takes back the one the lease added to each of its counters, in one call (a counter falling to zero is removed).</summary>
    internal async Task ReleaseAsync(RateLimitLease lease, CancellationToken cancellationToken)
    {
        var turns = await EnterAsync(lease.Counters.Select(c => c.PartitionKey + c.RowKey), cancellationToken);
        try
        {
            // The lease's copy may be older than what this instance wrote since (a later increment of the same counter).
            RateCounterEntity?[] counters = lease.Counters
                .Select(c => _known.Find(c.PartitionKey, c.RowKey) is { } newer && newer.WindowEnd == c.WindowEnd ? newer : c)
                .ToArray();
            var slots = lease.Counters.Select(c => new CounterSlot(c.PartitionKey, c.RowKey, 0, c.WindowEnd)).ToArray();
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var present = counters.OfType<RateCounterEntity>().ToArray();
                if (present.Length == 0)
                {
                    return; // Cleared meanwhile: nothing left to give back.
                }

                var next = present.Select(c => new RateCounterEntity
                {
                    PartitionKey = c.PartitionKey, RowKey = c.RowKey, Count = c.Count - 1, WindowEnd = c.WindowEnd, ETag = c.ETag,
                }).ToArray();
                if (await TryWriteAsync(next, next.Select(c => c.Count <= 0 ? TableTransactionActionType.Delete : TableTransactionActionType.UpdateReplace).ToArray(), cancellationToken))
                {
                    var now = time.GetUtcNow();
                    foreach (var counter in next)
                    {
                        if (counter.Count <= 0)
                        {
                            _known.Forget(counter.PartitionKey, counter.RowKey);
                        }
                        else
                        {
                            _known.Remember(counter, now);
                        }
                    }

                    return;
                }

                counters = await ReadAsync(slots, cancellationToken);
                foreach (var (slot, counter) in slots.Zip(counters))
                {
                    if (counter is null)
                    {
                        _known.Forget(slot.PartitionKey, slot.RowKey);
                    }
                }
            }
        }
        finally
        {
            Leave(turns);
        }

        throw new StorageContentionException("A rate-limit counter kept changing during the update; retry later.");
    }

    /// <summary>Removes the counter of the window, whatever it holds.</summary>
    internal async Task ClearAsync(RateLimitName name, string key, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var (partitionKey, rowKey) = KeyOf(name, key, windowEnd);
        _known.Forget(partitionKey, rowKey);
        await tables.RateLimits.DeleteIfExistsAsync(partitionKey, rowKey, cancellationToken);
    }

    /// <summary>
    /// Removes the failure counters of one account in the windows of <paramref name="rows"/>, whatever they hold: the
    /// per-account one and every address's; one query of one partition, then one transaction per 100 counters. Returns
    /// how many per-address counters there were.
    /// </summary>
    internal async Task<int> ClearLoginFailuresAsync(LoginFailureRows rows, CancellationToken cancellationToken)
    {
        var (partitionKey, accountRow, _, prefix) = rows;
        var rowKeys = new List<string>();
        // '-' + 1 = '.': the first key after every key with the prefix.
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partitionKey} and ((RowKey ge {prefix} and RowKey lt {prefix[..^1] + "."}) or RowKey eq {accountRow})");
        await foreach (var counter in tables.RateLimits.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            rowKeys.Add(counter.RowKey);
            _known.Forget(partitionKey, counter.RowKey);
        }

        // A counter given back to zero meanwhile is gone already: the helper then deletes the rest one by one.
        await tables.RateLimits.DeleteRowsAsync(partitionKey, rowKeys, cancellationToken);
        return rowKeys.Count(r => r != accountRow);
    }

    /// <summary>Removes counters whose window ended before <paramref name="now"/>: one range query per shard, then a delete each.</summary>
    internal async Task<int> RemoveExpiredAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
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

    /// <summary>
    /// Writes the counters (one or two of one partition) with their actions, each conditional on the counter's ETag (an
    /// insert on its absence): two in one transaction. False when one changed meanwhile (409, 412, 404): none written.
    /// </summary>
    private async Task<bool> TryWriteAsync(RateCounterEntity[] counters, TableTransactionActionType[] actions, CancellationToken cancellationToken)
    {
        var table = tables.RateLimits;
        try
        {
            if (counters.Length == 1)
            {
                var counter = counters[0];
                switch (actions[0])
                {
                    case TableTransactionActionType.Add:
                        await table.AddRowAsync(counter, cancellationToken);
                        break;
                    case TableTransactionActionType.Delete:
                        await table.DeleteEntityAsync(counter.PartitionKey, counter.RowKey, counter.ETag, cancellationToken);
                        break;
                    default:
                        await table.ReplaceRowAsync(counter, cancellationToken);
                        break;
                }

                return true;
            }

            var response = await table.SubmitTransactionAsync(
                counters.Select((c, i) => new TableTransactionAction(actions[i], c.Write(), c.ETag)), cancellationToken);
            for (var i = 0; i < counters.Length; i++)
            {
                counters[i].ETag = response.Value[i].Headers.ETag ?? default;
            }

            return true;
        }
        catch (RequestFailedException e) when (e.IsConflict() || e.IsLostRace())
        {
            return false;
        }
    }

    /// <summary>The counters as stored now (null: none): a point read for one, one partition query for two.</summary>
    private async Task<RateCounterEntity?[]> ReadAsync(IReadOnlyList<CounterSlot> slots, CancellationToken cancellationToken)
    {
        if (slots.Count == 1)
        {
            return [await tables.RateLimits.GetRowAsync<RateCounterEntity>(slots[0].PartitionKey, slots[0].RowKey, cancellationToken)];
        }

        if (slots.Count != 2 || slots[0].PartitionKey != slots[1].PartitionKey)
        {
            throw new ArgumentException("One counter, or two of one partition.", nameof(slots));
        }

        var found = new RateCounterEntity?[2];
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {slots[0].PartitionKey} and (RowKey eq {slots[0].RowKey} or RowKey eq {slots[1].RowKey})");
        await foreach (var counter in tables.RateLimits.QueryRowsAsync<RateCounterEntity>(filter, cancellationToken: cancellationToken))
        {
            found[counter.RowKey == slots[0].RowKey ? 0 : 1] = counter;
        }

        return found;
    }

    /// <summary>Takes this instance's turn at each counter, in one order, so two groups sharing a counter cannot deadlock.</summary>
    private async Task<List<IDisposable>> EnterAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var turns = new List<IDisposable>();
        try
        {
            foreach (var key in keys.Order(StringComparer.Ordinal))
            {
                turns.Add(await _gate.EnterAsync(key, cancellationToken));
            }
        }
        catch
        {
            Leave(turns);
            throw;
        }

        return turns;
    }

    private static void Leave(List<IDisposable> turns)
    {
        foreach (var turn in turns)
        {
            turn.Dispose();
        }
    }
}
