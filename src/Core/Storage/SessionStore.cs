using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>Sessions (one partition per user) and their cleanup index.</summary>
internal sealed class SessionStore(AuthTables tables)
{
    private const int MaxBatch = 100;

    public async Task<SessionEntity?> GetAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        var response = await tables.UserSessions.GetEntityIfExistsAsync<SessionEntity>(
            userId, SessionEntity.RowKeyFor(sessionId), cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Files the session in the cleanup index. Written before the session itself: an index entry without a session
    /// is harmless (cleanup drops it), a session without one would never be cleaned up.
    /// </summary>
    public Task IndexAsync(string userId, string sessionId, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        tables.SessionExpiry.UpsertEntityAsync(
            new SessionExpiryEntity { PartitionKey = SessionExpiryEntity.Bucket(dueAt), RowKey = SessionExpiryEntity.RowKeyFor(userId, sessionId) },
            TableUpdateMode.Replace,
            cancellationToken);

    public Task InsertAsync(SessionEntity session, CancellationToken cancellationToken) =>
        tables.UserSessions.AddEntityAsync(session, cancellationToken);

    /// <summary>Inserts a new user's reference and first session atomically (same partition).</summary>
    public Task InsertWithUserRefAsync(SessionEntity session, UserRefEntity userRef, CancellationToken cancellationToken) =>
        tables.UserSessions.SubmitTransactionAsync(
            [new(TableTransactionActionType.Add, userRef), new(TableTransactionActionType.Add, session)],
            cancellationToken);

    public async Task DeleteUserRefAndSessionAsync(SessionEntity session, CancellationToken cancellationToken)
    {
        await tables.UserSessions.DeleteEntityAsync(session.PartitionKey, UserRefEntity.Row, ETag.All, cancellationToken);
        await tables.UserSessions.DeleteEntityAsync(session.PartitionKey, session.RowKey, ETag.All, cancellationToken);
    }

    /// <summary>Replaces the session if unchanged since read; false on a lost race (412) or if it is gone (404).</summary>
    public Task<bool> TryReplaceAsync(SessionEntity session, CancellationToken cancellationToken) =>
        tables.UserSessions.TryReplaceAsync(session, cancellationToken);

    /// <summary>
    /// Merges <paramref name="changes"/> into every live session of the user (except <paramref name="exceptSessionId"/>):
    /// one partition query plus one transaction per 100 sessions. Returns how many were changed. Idempotent, so a
    /// caller that fails halfway retries the whole call.
    /// </summary>
    public async Task<int> UpdateLiveSessionsAsync(
        string userId, string? exceptSessionId, IReadOnlyDictionary<string, object?> changes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var rowKeys = new List<string>();
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {userId} and RowKey ge {SessionEntity.RowPrefix} and RowKey lt {SessionEntity.RowPrefixEnd} and Revoked eq {false}");
            await foreach (var session in tables.UserSessions.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                if (session.RowKey != (exceptSessionId is null ? null : SessionEntity.RowKeyFor(exceptSessionId)))
                {
                    rowKeys.Add(session.RowKey);
                }
            }

            try
            {
                foreach (var chunk in rowKeys.Chunk(MaxBatch))
                {
                    await tables.UserSessions.SubmitTransactionAsync(
                        chunk.Select(rowKey => new TableTransactionAction(
                            TableTransactionActionType.UpdateMerge,
                            new TableEntity(new Dictionary<string, object?>(changes) { ["PartitionKey"] = userId, ["RowKey"] = rowKey }),
                            ETag.All)),
                        cancellationToken);
                }

                return rowKeys.Count;
            }
            catch (TableTransactionFailedException e) when (e.Status == 404 && attempt < 3)
            {
                // A session was removed by cleanup between the query and the batch; query again.
            }
        }
    }

    public async Task<IReadOnlyList<SessionExpiryEntity>> DueIndexEntriesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var entries = new List<SessionExpiryEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {SessionExpiryEntity.Bucket(now)}");
        await foreach (var entry in tables.SessionExpiry.QueryAsync<SessionExpiryEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            entries.Add(entry);
            if (entries.Count >= max)
            {
                break;
            }
        }

        return entries;
    }

    public async Task DeleteIndexEntryAsync(SessionExpiryEntity entry, CancellationToken cancellationToken)
    {
        try
        {
            await tables.SessionExpiry.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>Deletes the session if unchanged since read; false if it changed meanwhile.</summary>
    public async Task<bool> TryDeleteAsync(SessionEntity session, CancellationToken cancellationToken)
    {
        try
        {
            await tables.UserSessions.DeleteEntityAsync(session.PartitionKey, session.RowKey, session.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return e.Status == 404;
        }
    }
}
