using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Sessions;

namespace FuncAuth.Core.Storage;

/// <summary>
/// The <c>Users</c> table: accounts by email key. The user-id reference and the profile copy live with the sessions
/// (<see cref="UserRefEntity"/>); this store keeps the copy in step with every write of an account.
/// </summary>
internal sealed class UserStore(AuthTables tables)
{
    public async Task<UserEntity?> FindByEmailKeyAsync(string emailKey, CancellationToken cancellationToken)
    {
        return await tables.Users.GetRowAsync<UserEntity>(emailKey, "", cancellationToken);
    }

    /// <summary>Inserts the account; false when the email key is taken. The insert is the uniqueness arbiter.</summary>
    public async Task<bool> TryInsertAsync(UserEntity user, CancellationToken cancellationToken)
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
    public async Task<bool> TryReplaceAsync(UserEntity user, CancellationToken cancellationToken)
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
    public async Task CopyProfileAsync(UserEntity user, UserRefEntity? known, CancellationToken cancellationToken)
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
    public async Task<UserEntity?> FindAndFillCopyAsync(UserRefEntity userRow, CancellationToken cancellationToken)
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
}
