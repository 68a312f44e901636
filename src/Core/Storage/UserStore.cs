using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>The <c>Users</c> table: accounts by email key. The user-id reference lives with the sessions (<see cref="SessionStore"/>).</summary>
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

    /// <summary>Replaces the account if unchanged since read; false on a lost race.</summary>
    public Task<bool> TryReplaceAsync(UserEntity user, CancellationToken cancellationToken) =>
        tables.Users.TryReplaceAsync(user, cancellationToken);
}
