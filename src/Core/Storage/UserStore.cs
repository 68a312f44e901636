using Azure;
using Azure.Data.Tables;

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
    /// Replaces the account if unchanged since read, then the profile copy beside the sessions; false on a lost race.
    /// If the copy's write fails the call fails (503) with the account already written: every writer reads the account
    /// and writes both again when the caller retries, and the user's next login rewrites the copy too.
    /// </summary>
    public async Task<bool> TryReplaceAsync(UserEntity user, CancellationToken cancellationToken)
    {
        if (!await tables.Users.TryReplaceAsync(user, cancellationToken))
        {
            return false;
        }

        await CopyProfileAsync(user, cancellationToken);
        return true;
    }

    /// <summary>
    /// Rewrites the profile copy from the account. The row must exist (sign-up made it): when it does not, the user's
    /// partition is being deleted, and nothing is written that would bring it back.
    /// </summary>
    public async Task CopyProfileAsync(UserEntity user, CancellationToken cancellationToken)
    {
        try
        {
            await tables.UserSessions.UpdateEntityAsync(UserRefEntity.Of(user).Write(), ETag.All, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }
}
