using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Passkeys;
using FuncAuth.Core.Sessions;

namespace FuncAuth.Core.Storage;

/// <summary>
/// The <c>Users</c> table (accounts by email key) and the user's row in the <c>UserSessions</c> partition of the user
/// (<see cref="UserRefEntity"/>: the user-id reference and the profile copy): the only writer of both, so the copy stays
/// in step with every write of an account. It also removes a user's partition as a whole, through the owners of the
/// index entries its rows name.
/// </summary>
public sealed class UserStore(AuthTables tables, SessionStore sessions, ApiKeyStore apiKeys, PasskeyStore passkeys)
{
    internal async Task<UserEntity?> FindByEmailKeyAsync(string emailKey, CancellationToken cancellationToken)
    {
        return await tables.Users.GetRowAsync<UserEntity>(emailKey, "", cancellationToken);
    }

    /// <summary>The email key of the account a user id belongs to, or null; an id not of the id form never reaches a key.</summary>
    internal async Task<string?> FindEmailKeyAsync(string userId, CancellationToken cancellationToken)
    {
        if (!Accounts.Ids.IsValid(userId))
        {
            return null;
        }

        var reference = await tables.UserSessions.GetRowAsync<UserRefEntity>(userId, UserRefEntity.Row, cancellationToken);
        return reference?.EmailKey;
    }

    /// <summary>
    /// Writes the user's row (reference and profile copy) of a new account, before the account itself: see
    /// <see cref="DeleteUserRowAsync"/> for the sign-up that loses.
    /// </summary>
    internal Task InsertUserRowAsync(UserEntity user, CancellationToken cancellationToken) =>
        tables.UserSessions.AddRowAsync(UserRefEntity.Of(user), cancellationToken);

    /// <summary>
    /// Removes the user row <see cref="InsertUserRowAsync"/> wrote for a sign-up that lost (the address is registered):
    /// the only row of a user id nobody else knows. One point delete.
    /// </summary>
    internal Task DeleteUserRowAsync(UserEntity user, CancellationToken cancellationToken) =>
        tables.UserSessions.DeleteIfExistsAsync(user.UserId, UserRefEntity.Row, cancellationToken);

    /// <summary>
    /// The call a sign-up that won makes where a losing one removes its user row (<see cref="DeleteUserRowAsync"/>): a
    /// point delete of a row that never exists, in the new user's own partition, so a registered and a new address cost
    /// the same calls of the same kinds.
    /// </summary>
    internal Task MatchUserRowDeleteAsync(UserEntity user, CancellationToken cancellationToken) =>
        tables.UserSessions.DeleteIfExistsAsync(user.UserId, "-", cancellationToken);

    /// <summary>
    /// Inserts a new user's row together with the user's first session (one transaction), so a session never exists
    /// without the row authentication reads beside it.
    /// </summary>
    internal Task InsertUserRowWithFirstSessionAsync(UserEntity user, SessionEntity session, CancellationToken cancellationToken) =>
        tables.UserSessions.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, UserRefEntity.Of(user).Write()),
                new(TableTransactionActionType.Add, session.Write()),
            ],
            cancellationToken);

    /// <summary>Undoes <see cref="InsertUserRowWithFirstSessionAsync"/>.</summary>
    internal async Task DeleteUserRowWithFirstSessionAsync(SessionEntity session, CancellationToken cancellationToken)
    {
        await tables.UserSessions.DeleteEntityAsync(session.PartitionKey, UserRefEntity.Row, ETag.All, cancellationToken);
        await tables.UserSessions.DeleteEntityAsync(session.PartitionKey, session.RowKey, ETag.All, cancellationToken);
    }

    /// <summary>Inserts the account; false when the email key is taken. The insert is the uniqueness arbiter.</summary>
    internal async Task<bool> TryInsertAsync(UserEntity user, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Users.AddRowAsync(user, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            return false;
        }
    }

    /// <summary>
    /// Replaces the account if unchanged since read, then brings the profile copy beside the sessions up to it; false on
    /// a lost race. If the copy's write fails the call fails (503) with the account already written: every writer reads
    /// the account again and brings the copy up to it when the caller retries.
    /// </summary>
    internal async Task<bool> TryReplaceAsync(UserEntity user, CancellationToken cancellationToken)
    {
        user.Revision++;
        if (!await tables.Users.TryReplaceAsync(user, cancellationToken))
        {
            user.Revision--;
            return false;
        }

        await CopyProfileAsync(user, known: null, cancellationToken);
        return true;
    }

    /// <summary>
    /// Brings the profile copy up to the account: written only when it is older than <paramref name="user"/> (by
    /// <see cref="UserEntity.Revision"/>) and conditional on its ETag, so a writer that read the account before another
    /// one wrote it never moves the copy back. <paramref name="known"/> is the copy as the caller read it, if it did. No
    /// row means the user's partition is being deleted: nothing is written that would bring it back.
    /// </summary>
    internal async Task CopyProfileAsync(UserEntity user, UserRefEntity? known, CancellationToken cancellationToken)
    {
        var copy = known;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            copy ??= await tables.UserSessions.GetRowAsync<UserRefEntity>(user.UserId, UserRefEntity.Row, cancellationToken);
            if (copy is null || (copy.HasProfile && copy.Revision >= user.Revision))
            {
                return;
            }

            try
            {
                await tables.UserSessions.UpdateEntityAsync(UserRefEntity.Of(user).Write(), copy.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (e.IsLostRace())
            {
                copy = null; // Written or removed meanwhile: look again.
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// Reads the account of a user row stored before the profile copy existed, and fills the copy in for the next
    /// reader. The fill is a courtesy: if it fails, the row stays as it was and the next reader tries again.
    /// </summary>
    internal async Task<UserEntity?> FindAndFillCopyAsync(UserRefEntity userRow, CancellationToken cancellationToken)
    {
        var user = await FindByEmailKeyAsync(userRow.EmailKey, cancellationToken);
        if (user is not null && user.UserId == userRow.PartitionKey)
        {
            try
            {
                await CopyProfileAsync(user, userRow, cancellationToken);
            }
            catch (Exception e) when (e is RequestFailedException or StorageContentionException)
            {
            }
        }

        return user;
    }

    /// <summary>
    /// Removes every row of the user except the account itself: the whole <c>UserSessions</c> partition (sessions, API
    /// keys, the user's row, and anything else filed under the user) and the cleanup-index entries of its sessions and
    /// keys, and the credential-index entries of its passkeys. No table is scanned: the partition is one query, and each
    /// index entry is a point delete, through its owner, at the key its row names (a session's
    /// <see cref="SessionEntity.IndexedDueAt"/>, a key's expiry). Idempotent.
    /// </summary>
    internal async Task DeleteAllRowsButAccountAsync(string userId, CancellationToken cancellationToken)
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
                await sessions.UnindexAsync(userId, row.RowKey[SessionEntity.RowPrefix.Length..], dueAt, cancellationToken);
            }
            else if (row.RowKey.StartsWith(ApiKeyEntity.RowPrefix, StringComparison.Ordinal) && row.GetDateTimeOffset(nameof(ApiKeyEntity.ExpiresAt)) is { } expiresAt)
            {
                await apiKeys.UnindexAsync(row.RowKey[ApiKeyEntity.RowPrefix.Length..], expiresAt, cancellationToken);
            }
            else if (row.RowKey.StartsWith(PasskeyEntity.RowPrefix, StringComparison.Ordinal))
            {
                // A passkey's entry in the credential index, so its credential leads nowhere and could be registered again.
                await passkeys.DeleteIndexEntryAsync(userId, row.RowKey[PasskeyEntity.RowPrefix.Length..], cancellationToken);
            }
        }

        // Cleanup may remove a session meanwhile: the helper then deletes the rest one by one.
        await tables.UserSessions.DeleteRowsAsync(userId, rows.Select(r => r.RowKey), cancellationToken);
    }

    /// <summary>Deletes the account row if it is still the one read; false when it changed meanwhile.</summary>
    internal async Task<bool> TryDeleteAccountAsync(UserEntity user, CancellationToken cancellationToken)
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
