using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Accounts.Admin;

/// <summary>
/// The enabled admins, so the last-admin rule counts them with one partition query instead of reading the Users table by
/// role. Table <c>UserSessions</c>; PartitionKey = "admins" (never a user id: those are 32 hex digits), RowKey = the user
/// id of each enabled admin, plus the row "-" whose ETag every removal changes in the same transaction: two removals
/// racing (two admins demoting each other) cannot both pass the count, so one admin always stays.
/// </summary>
/// <remarks>
/// Adding an admin is a plain upsert after the account is written: it only raises the count, so it needs no guard. A
/// removal is taken from the index before the account is written; if that write then fails, the index counts one admin
/// too few until the call is repeated (the safe side of the rule).
/// </remarks>
public sealed class AdminIndex(AuthTables tables)
{
    internal const string Partition = "admins";
    private const string GuardRow = "-";

    /// <summary>
    /// Lists the account when, as written, it holds admin and is enabled. Never removes: removals go through
    /// <see cref="TryUnlistAsync"/>, so no unguarded write can make the count smaller behind the rule's back.
    /// </summary>
    internal async Task ListIfAdminAsync(UserEntity user, CancellationToken cancellationToken)
    {
        if (!user.Disabled && user.Roles.Split(',').Contains(Roles.Admin, StringComparer.Ordinal))
        {
            await ListAsync(user.UserId, cancellationToken);
        }
    }

    /// <summary>Lists an enabled admin (an upsert: listing twice is harmless).</summary>
    internal Task ListAsync(string userId, CancellationToken cancellationToken) =>
        tables.UserSessions.UpsertEntityAsync(new TableEntity(Partition, userId), TableUpdateMode.Replace, cancellationToken);

    /// <summary>Removes a deleted account's entry, whatever the count (deleting one's own account is not refused).</summary>
    internal Task UnlistDeletedAsync(string userId, CancellationToken cancellationToken) =>
        tables.UserSessions.DeleteIfExistsAsync(Partition, userId, cancellationToken);

    /// <summary>
    /// Takes the user out of the enabled admins unless they are the last one. True: removed, or not listed; false: the
    /// last enabled admin, left as is.
    /// </summary>
    internal async Task<bool> TryUnlistAsync(string userId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts * 2; attempt++)
        {
            TableEntity? guard = null;
            var listed = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var row in tables.UserSessions.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), select: ["RowKey"], cancellationToken: cancellationToken))
            {
                if (row.RowKey == GuardRow)
                {
                    guard = row;
                }
                else
                {
                    listed.Add(row.RowKey);
                }
            }

            if (guard is null)
            {
                await BuildAsync(cancellationToken);
                continue;
            }

            if (!listed.Contains(userId))
            {
                return true;
            }

            if (listed.Count < 2)
            {
                return false;
            }

            try
            {
                await tables.UserSessions.SubmitTransactionAsync(
                    [
                        new(TableTransactionActionType.Delete, new TableEntity(Partition, userId), ETag.All),
                        new(TableTransactionActionType.UpdateReplace, new TableEntity(Partition, GuardRow), guard.ETag),
                    ],
                    cancellationToken);
                return true;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
            {
                // Another removal (or addition of the same row) came first: count again.
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// Fills the index from accounts stored before it existed: the one read of the Users table by role, once per
    /// deployment (the guard row, written last, marks it done; racing builders write the same rows).
    /// </summary>
    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"Roles eq {Roles.Admin} or Roles eq {Roles.User + "," + Roles.Admin}");
        var admins = new List<string>();
        await foreach (var user in tables.Users.QueryAsync<TableEntity>(filter, select: ["UserId", "Disabled"], cancellationToken: cancellationToken))
        {
            if (user.GetBoolean("Disabled") != true && user.GetString("UserId") is { Length: > 0 } userId)
            {
                admins.Add(userId);
            }
        }

        // The guard and the list in one transaction: a build that lost the race to another one writes nothing. Listed one
        // by one, a late build could list again an admin whom a demotion (seeing the first build's guard) had just
        // unlisted, and two admins demoting each other on a fresh index could both go. An entity group holds 100
        // entities: beyond 99 admins the rest are listed after the guard (a window only such a deployment has).
        var first = admins.Take(99).Select(id => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(Partition, id)));
        try
        {
            await tables.UserSessions.SubmitTransactionAsync(
                [new(TableTransactionActionType.Add, new TableEntity(Partition, GuardRow)), .. first], cancellationToken);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            return; // Built already.
        }

        foreach (var userId in admins.Skip(99))
        {
            await ListAsync(userId, cancellationToken);
        }
    }
}
