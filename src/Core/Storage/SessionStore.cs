using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Sessions;

namespace FuncAuth.Core.Storage;

/// <summary>
/// The sessions of the <c>UserSessions</c> table (rows <c>s:{sessionId}</c> in the user's partition) and their entries in
/// the <c>SessionExpiry</c> cleanup index: the only writer of both. The user's row in the same partition (reference and
/// profile copy) is <see cref="UserStore"/>'s.
/// </summary>
public sealed class SessionStore(AuthTables tables)
{
    private const int MaxBatch = 100;

    internal async Task<SessionEntity?> GetAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        return await tables.UserSessions.GetRowAsync<SessionEntity>(userId, SessionEntity.RowKeyFor(sessionId), cancellationToken);
    }

    /// <summary>
    /// Files the session in the cleanup index. Written before the session itself: an index entry without a session
    /// is harmless (cleanup drops it), a session without one would never be cleaned up.
    /// </summary>
    internal Task IndexAsync(string userId, string sessionId, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        tables.SessionExpiry.UpsertRowAsync(IndexEntry(userId, sessionId, dueAt), cancellationToken);

    /// <summary>Removes the session's cleanup-index entry filed under <paramref name="dueAt"/>; gone already is fine.</summary>
    internal Task UnindexAsync(string userId, string sessionId, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        DeleteIndexEntryAsync(IndexEntry(userId, sessionId, dueAt), cancellationToken);

    /// <summary>
    /// The session and the user's row (reference and profile copy) in one partition query: what authentication and
    /// refresh need, in one call. Either is null when missing. The filter is built by the SDK, which escapes the ids.
    /// </summary>
    internal async Task<(SessionEntity? Session, UserRefEntity? User)> GetWithUserAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        var (row, user) = await tables.UserSessions.GetWithUserRowAsync(userId, SessionEntity.RowKeyFor(sessionId), cancellationToken);
        return (row is null ? null : SessionEntity.Read(row), user);
    }

    /// <summary>
    /// The user's live sessions with when each last received tokens and its version, for the cap on sessions per user:
    /// one partition query that returns two columns of each live session (revoked and expired rows are filtered out by
    /// the service, not sent).
    /// </summary>
    internal async Task<IReadOnlyList<(string SessionId, DateTimeOffset LastUsedAt, ETag Version)>> LiveSessionsAsync(
        string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var live = new List<(string, DateTimeOffset, ETag)>();
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {userId} and RowKey ge {SessionEntity.RowPrefix} and RowKey lt {SessionEntity.RowPrefixEnd} and Revoked eq {false} and ExpiresAt gt {now}");
        await foreach (var row in tables.UserSessions.QueryAsync<TableEntity>(
            filter, select: ["RowKey", nameof(SessionEntity.RotatedAt)], cancellationToken: cancellationToken))
        {
            live.Add((row.RowKey[SessionEntity.RowPrefix.Length..], row.GetDateTimeOffset(nameof(SessionEntity.RotatedAt)) ?? default, row.ETag));
        }

        return live;
    }

    /// <summary>Every session of the user, live or ended (one partition query).</summary>
    internal async Task<IReadOnlyList<SessionEntity>> AllOfUserAsync(string userId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {userId} and RowKey ge {SessionEntity.RowPrefix} and RowKey lt {SessionEntity.RowPrefixEnd}");
        var sessions = new List<SessionEntity>();
        await foreach (var session in tables.UserSessions.QueryRowsAsync<SessionEntity>(filter, cancellationToken: cancellationToken))
        {
            sessions.Add(session);
        }

        return sessions;
    }

    internal Task InsertAsync(SessionEntity session, CancellationToken cancellationToken) =>
        tables.UserSessions.AddRowAsync(session, cancellationToken);

    /// <summary>Replaces the session if unchanged since read; false on a lost race (412) or if it is gone (404).</summary>
    internal Task<bool> TryReplaceAsync(SessionEntity session, CancellationToken cancellationToken) =>
        tables.UserSessions.TryReplaceAsync(session, cancellationToken);

    /// <summary>
    /// Ends the session if it is unchanged since <paramref name="version"/> was read: one conditional merge, so the
    /// caller needs no second read. False when it changed meanwhile or is gone.
    /// </summary>
    internal async Task<bool> TryRevokeAsync(
        string userId, string sessionId, ETag version, RevocationReason reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            await tables.UserSessions.UpdateEntityAsync(Columns(userId, SessionEntity.RowKeyFor(sessionId), SessionEntity.RevocationColumns(reason, at)), version, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return false;
        }
    }

    /// <summary>
    /// Records a new security stamp in one session (the caller's, after a password change): one merge, whatever its
    /// ETag, touching no other column (a session ended meanwhile stays ended). Gone already is fine.
    /// </summary>
    internal Task SetSecurityStampAsync(string userId, string sessionId, string securityStamp, CancellationToken cancellationToken) =>
        MergeColumnAsync(userId, sessionId, nameof(SessionEntity.SecurityStamp), securityStamp, cancellationToken);

    private async Task MergeColumnAsync(string userId, string sessionId, string column, object value, CancellationToken cancellationToken)
    {
        try
        {
            await tables.UserSessions.UpdateEntityAsync(
                Columns(userId, SessionEntity.RowKeyFor(sessionId), new Dictionary<string, object?> { [column] = value }),
                ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>
    /// Records the due time a refiled session's index entry is filed under now, so removing the user finds the entry by
    /// a point delete. One merge whatever the ETag, touching no other column; gone already is fine.
    /// </summary>
    internal Task RecordIndexedDueAtAsync(string userId, string sessionId, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        MergeColumnAsync(userId, sessionId, nameof(SessionEntity.IndexedDueAt), dueAt, cancellationToken);

    /// <summary>Ends every live session of the user except <paramref name="exceptSessionId"/>. Returns how many ended.</summary>
    internal Task<int> RevokeLiveSessionsAsync(
        string userId, string? exceptSessionId, RevocationReason reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        MergeIntoLiveSessionsAsync(userId, exceptSessionId, SessionEntity.RevocationColumns(reason, at), cancellationToken);

    /// <summary>
    /// Makes the current access token of every live session of the user unacceptable, leaving the sessions (and so
    /// their refresh tokens) live. Returns how many sessions there were.
    /// </summary>
    internal Task<int> RevokeAccessTokensAsync(string userId, CancellationToken cancellationToken) =>
        MergeIntoLiveSessionsAsync(userId, exceptSessionId: null, new Dictionary<string, object?> { [nameof(SessionEntity.AccessTokenId)] = "" }, cancellationToken);

    /// <summary>
    /// Merges <paramref name="changes"/> into every live session of the user (except <paramref name="exceptSessionId"/>):
    /// one partition query plus one transaction per 100 sessions. Idempotent, so a caller that fails halfway retries
    /// the whole call.
    /// </summary>
    private async Task<int> MergeIntoLiveSessionsAsync(
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
                        chunk.Select(rowKey => new TableTransactionAction(TableTransactionActionType.UpdateMerge, Columns(userId, rowKey, changes), ETag.All)),
                        cancellationToken);
                }

                return rowKeys.Count;
            }
            catch (TableTransactionFailedException e) when (e.Status == 404 && attempt < LostRaceRetry.MaxAttempts)
            {
                // A session was removed by cleanup between the query and the batch; query again.
            }
        }
    }

    internal async Task<IReadOnlyList<SessionExpiryEntity>> DueIndexEntriesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var entries = new List<SessionExpiryEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {SessionExpiryEntity.Bucket(now)}");
        await foreach (var entry in tables.SessionExpiry.QueryRowsAsync<SessionExpiryEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            entries.Add(entry);
            if (entries.Count >= max)
            {
                break;
            }
        }

        return entries;
    }

    internal Task DeleteIndexEntryAsync(SessionExpiryEntity entry, CancellationToken cancellationToken) =>
        tables.SessionExpiry.DeleteIfExistsAsync(entry.PartitionKey, entry.RowKey, cancellationToken);

    /// <summary>Deletes the session if unchanged since read; false if it changed meanwhile.</summary>
    internal async Task<bool> TryDeleteAsync(SessionEntity session, CancellationToken cancellationToken)
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

    private static TableEntity Columns(string userId, string rowKey, IReadOnlyDictionary<string, object?> changes) =>
        new(new Dictionary<string, object?>(changes) { ["PartitionKey"] = userId, ["RowKey"] = rowKey });

    private static SessionExpiryEntity IndexEntry(string userId, string sessionId, DateTimeOffset dueAt) =>
        new() { PartitionKey = SessionExpiryEntity.Bucket(dueAt), RowKey = SessionExpiryEntity.RowKeyFor(userId, sessionId) };
}
