using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.ApiKeys;

/// <summary>API keys in their owners' partitions of <c>UserSessions</c>, and their cleanup index.</summary>
public sealed class ApiKeyStore(AuthTables tables)
{
    private const int MaxBatch = 100;

    // Read when a presented key is malformed, so that every presented key costs the same one point read. No real key
    // lives here: user ids are random and key ids are hex.
    private const string DecoyPartition = "00000000000000000000000000000000";
    private const string DecoyRow = "k:-";

    /// <summary>
    /// The key's row (null: no such key, or revoked) and its owner's row with the profile copy (null: no such user), in
    /// one partition query: what checking a key against the account's state needs, in one call. A malformed key reads
    /// the decoy partition the same way.
    /// </summary>
    internal async Task<(ApiKeyEntity? Key, UserRefEntity? Owner)> GetWithOwnerAsync(string? keyId, CancellationToken cancellationToken)
    {
        var (partition, row) = keyId is null ? (DecoyPartition, DecoyRow) : (ApiKeyFormat.OwnerOf(keyId), ApiKeyEntity.RowKeyFor(keyId));
        var (key, owner) = await tables.UserSessions.GetWithUserRowAsync(partition, row, cancellationToken);
        return (key is null ? null : ApiKeyEntity.Read(key), owner);
    }

    /// <summary>Every key row of the user, expired ones included: one range query over the user's partition.</summary>
    internal async Task<List<ApiKeyEntity>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {userId} and RowKey ge {ApiKeyEntity.RowPrefix} and RowKey lt {ApiKeyEntity.RowPrefixEnd}");
        var keys = new List<ApiKeyEntity>();
        await foreach (var key in tables.UserSessions.QueryRowsAsync<ApiKeyEntity>(filter, cancellationToken: cancellationToken))
        {
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>
    /// Files the key in the cleanup index. Written before the key: an index entry without a key is harmless (cleanup
    /// drops it), a key without one would never be cleaned up.
    /// </summary>
    internal Task IndexAsync(string keyId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        tables.SessionExpiry.UpsertEntityAsync(
            new TableEntity(ApiKeyExpiryIndex.Partition(expiresAt), keyId), TableUpdateMode.Replace, cancellationToken);

    /// <summary>Removes the key's cleanup-index entry filed under <paramref name="expiresAt"/>; gone already is fine.</summary>
    internal Task UnindexAsync(string keyId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        tables.SessionExpiry.DeleteIfExistsAsync(ApiKeyExpiryIndex.Partition(expiresAt), keyId, cancellationToken);

    internal Task InsertAsync(ApiKeyEntity key, CancellationToken cancellationToken) =>
        tables.UserSessions.AddRowAsync(key, cancellationToken);

    /// <summary>Deletes the key; false when there was none.</summary>
    internal Task<bool> DeleteAsync(string keyId, CancellationToken cancellationToken) =>
        tables.UserSessions.DeleteIfExistsAsync(ApiKeyFormat.OwnerOf(keyId), ApiKeyEntity.RowKeyFor(keyId), cancellationToken);

    /// <summary>Deletes every key of the user: one range query plus one transaction per 100 keys. Idempotent.</summary>
    internal async Task<int> DeleteAllAsync(string userId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var rowKeys = new List<string>();
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {userId} and RowKey ge {ApiKeyEntity.RowPrefix} and RowKey lt {ApiKeyEntity.RowPrefixEnd}");
            await foreach (var key in tables.UserSessions.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                rowKeys.Add(key.RowKey);
            }

            try
            {
                foreach (var chunk in rowKeys.Chunk(MaxBatch))
                {
                    await tables.UserSessions.SubmitTransactionAsync(
                        chunk.Select(rowKey => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(userId, rowKey), ETag.All)),
                        cancellationToken);
                }

                return rowKeys.Count;
            }
            catch (TableTransactionFailedException e) when (e.Status == 404 && attempt < 3)
            {
                // A key was revoked or cleaned up between the query and the batch; query again.
            }
        }
    }

    /// <summary>
    /// Sets <c>LastUsedAt</c> if the row is unchanged since it was read (its ETag), so instances racing on the same key
    /// write it once between them. A lost race (412) or a revoked key (404) is false.
    /// </summary>
    internal async Task<bool> TryTouchAsync(ApiKeyEntity key, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        try
        {
            await tables.UserSessions.UpdateEntityAsync(
                new TableEntity(key.PartitionKey, key.RowKey) { [nameof(ApiKeyEntity.LastUsedAt)] = usedAt }, key.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return false;
        }
    }

    /// <summary>Index entries of keys that expired before the current hour began, at most <paramref name="max"/>.</summary>
    internal async Task<IReadOnlyList<TableEntity>> DueIndexEntriesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var entries = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {ApiKeyExpiryIndex.PartitionPrefix} and PartitionKey lt {ApiKeyExpiryIndex.Partition(now)}");
        await foreach (var entry in tables.SessionExpiry.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            entries.Add(entry);
            if (entries.Count >= max)
            {
                break;
            }
        }

        return entries;
    }

    internal Task DeleteIndexEntryAsync(TableEntity entry, CancellationToken cancellationToken) =>
        tables.SessionExpiry.DeleteIfExistsAsync(entry.PartitionKey, entry.RowKey, cancellationToken);
}
