using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>User accounts by email key, and the user-id → email-key reference.</summary>
internal sealed class UserStore(AuthTables tables)
{
    public async Task<UserEntity?> FindByEmailKeyAsync(string emailKey, CancellationToken cancellationToken)
    {
        var response = await tables.Users.GetEntityIfExistsAsync<UserEntity>(emailKey, "", cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>The email key of a user id, or null; an id not of the id form is not found and never reaches a table key.</summary>
    public async Task<string?> FindEmailKeyAsync(string userId, CancellationToken cancellationToken)
    {
        if (!Accounts.Ids.IsValid(userId))
        {
            return null;
        }

        var response = await tables.UserSessions.GetEntityIfExistsAsync<UserRefEntity>(userId, UserRefEntity.Row, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value!.EmailKey : null;
    }

    /// <summary>Inserts the account; false when the email key is taken. The insert is the uniqueness arbiter.</summary>
    public async Task<bool> TryInsertAsync(UserEntity user, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Users.AddEntityAsync(user, cancellationToken);
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
