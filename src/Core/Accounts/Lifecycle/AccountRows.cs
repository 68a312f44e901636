using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Accounts.Lifecycle;

/// <summary>The lifecycle's own storage access: a user's sessions, the removal of every row of a user, the admins.</summary>
internal sealed class AccountRows(AuthTables tables)
{
    private const int MaxBatch = 100;

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
    /// Removes every row of the user except the account itself: the whole <c>UserSessions</c> partition (sessions, the
    /// user reference, and anything else filed under the user) and the user's cleanup-index entries. Idempotent.
    /// </summary>
    public async Task DeleteAllButAccountAsync(string userId, CancellationToken cancellationToken)
    {
        // The index is keyed by due hour, and an entry's hour moves when cleanup refiles it, so the user's entries are
        // found by their row keys. A rare, user-initiated operation: the one place that reads across the index. Session
        // entries are "<userId>_<sessionId>" and API-key entries "<userId><16 hex digits>" (the key id), so one range from
        // the user id up to the character after the last hex digit holds both, and no other user's (ids are one length).
        var indexFilter = TableClient.CreateQueryFilter($"RowKey ge {userId} and RowKey lt {userId + "g"}");
        await foreach (var entry in tables.SessionExpiry.QueryAsync<TableEntity>(indexFilter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await tables.SessionExpiry.DeleteIfExistsAsync(entry.PartitionKey, entry.RowKey, cancellationToken);
        }

        var rows = new List<string>();
        await foreach (var row in tables.UserSessions.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {userId}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            rows.Add(row.RowKey);
        }

        foreach (var chunk in rows.Chunk(MaxBatch))
        {
            try
            {
                await tables.UserSessions.SubmitTransactionAsync(
                    chunk.Select(rowKey => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(userId, rowKey), ETag.All)),
                    cancellationToken);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // Cleanup removed one meanwhile: delete the rest one by one.
                foreach (var rowKey in chunk)
                {
                    await tables.UserSessions.DeleteIfExistsAsync(userId, rowKey, cancellationToken);
                }
            }
        }
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

    /// <summary>
    /// How many enabled admins there are, counting at most two (all the last-admin rule needs). Roles are not a key,
    /// so this reads the Users table: only SetRoles' demotion of an admin asks, which is rare and admin-only.
    /// </summary>
    public async Task<int> CountEnabledAdminsAsync(int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"Roles eq {Roles.Admin} or Roles eq {Roles.User + "," + Roles.Admin}");
        var count = 0;
        await foreach (var user in tables.Users.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "Disabled"], cancellationToken: cancellationToken))
        {
            if (user.GetBoolean("Disabled") != true && ++count >= max)
            {
                break;
            }
        }

        return count;
    }
}
