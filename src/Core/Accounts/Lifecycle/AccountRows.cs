using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Passkeys;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Accounts.Lifecycle;

/// <summary>The lifecycle's own storage access: a user's sessions and the removal of every row of a user.</summary>
internal sealed class AccountRows(AuthTables tables)
{
    public Task InsertUserRefAsync(UserRefEntity userRef, CancellationToken cancellationToken) =>
        tables.UserSessions.AddRowAsync(userRef, cancellationToken);

    /// <summary>Every session entity of the user (one partition query).</summary>
    public async Task<IReadOnlyList<SessionEntity>> SessionsAsync(string userId, CancellationToken cancellationToken)
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

    /// <summary>
    /// Removes the user row <see cref="InsertUserRefAsync"/> wrote for a sign-up that lost (the address is registered):
    /// the only row of a user id nobody else knows. One point delete.
    /// </summary>
    public Task DeleteUserRefAsync(UserRefEntity userRef, CancellationToken cancellationToken) =>
        tables.UserSessions.DeleteIfExistsAsync(userRef.PartitionKey, UserRefEntity.Row, cancellationToken);

    /// <summary>
    /// The call a sign-up that won makes where a losing one removes its user row (<see cref="DeleteUserRefAsync"/>): a
    /// point delete of a row that never exists, in the new user's own partition, so a registered and a new address cost
    /// the same calls of the same kinds.
    /// </summary>
    public Task MatchUserRefDeleteAsync(UserRefEntity userRef, CancellationToken cancellationToken) =>
        tables.UserSessions.DeleteIfExistsAsync(userRef.PartitionKey, "-", cancellationToken);

    /// <summary>
    /// Removes every row of the user except the account itself: the whole <c>UserSessions</c> partition (sessions, API
    /// keys, the user reference, and anything else filed under the user) and the cleanup-index entries of its sessions
    /// and keys, and the credential-index entries of its passkeys. No table is scanned: the partition is one query, and
    /// each index entry is a point delete at the key its row names (a session's <see cref="SessionEntity.IndexedDueAt"/>, a key's expiry). Idempotent.
    /// </summary>
    public async Task DeleteAllButAccountAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in tables.UserSessions.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {userId}"),
            select: ["RowKey", nameof(SessionEntity.IndexedDueAt), nameof(ApiKeyEntity.ExpiresAt)], cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        // Index entries first: one whose row is gone is harmless (cleanup drops it), a row whose entry is gone is not
        // reachable by cleanup. A session stored before IndexedDueAt was recorded leaves its entry to cleanup.
        foreach (var row in rows)
        {
            if (row.RowKey.StartsWith(SessionEntity.RowPrefix, StringComparison.Ordinal) && row.GetDateTimeOffset(nameof(SessionEntity.IndexedDueAt)) is { } dueAt)
            {
                await tables.SessionExpiry.DeleteIfExistsAsync(
                    SessionExpiryEntity.Bucket(dueAt), SessionExpiryEntity.RowKeyFor(userId, row.RowKey[SessionEntity.RowPrefix.Length..]), cancellationToken);
            }
            else if (row.RowKey.StartsWith(ApiKeyEntity.RowPrefix, StringComparison.Ordinal) && row.GetDateTimeOffset(nameof(ApiKeyEntity.ExpiresAt)) is { } expiresAt)
            {
                await tables.SessionExpiry.DeleteIfExistsAsync(ApiKeyExpiryIndex.Partition(expiresAt), row.RowKey[ApiKeyEntity.RowPrefix.Length..], cancellationToken);
            }
            else if (row.RowKey.StartsWith(PasskeyEntity.RowPrefix, StringComparison.Ordinal))
            {
                // A passkey's entry in the credential index, so its credential leads nowhere and could be registered again.
                await new PasskeyStore(tables).DeleteIndexEntryAsync(userId, row.RowKey[PasskeyEntity.RowPrefix.Length..], cancellationToken);
            }
        }

        // Cleanup may remove a session meanwhile: the helper then deletes the rest one by one.
        await tables.UserSessions.DeleteRowsAsync(userId, rows.Select(r => r.RowKey), cancellationToken);
    }

    /// <summary>Deletes the account row if it is still the one read; false when it changed meanwhile.</summary>
    public async Task<bool> TryDeleteAccountAsync(UserEntity user, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Users.DeleteEntityAsync(user.PartitionKey, user.RowKey, user.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return e.Status == 404;
        }
    }
}
