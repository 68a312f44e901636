using Azure;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Mfa;

/// <summary>
/// The second-factor rows of the <c>UserSessions</c> table, in the user's partition: the TOTP row (<see cref="MfaEntity"/>)
/// and the sign-in challenges (<see cref="MfaChallengeEntity"/>). The only writer of both.
/// </summary>
public sealed class MfaStore(AuthTables tables)
{
    /// <summary>The user's TOTP row, or null when TOTP was never set up.</summary>
    internal Task<MfaEntity?> FindAsync(string userId, CancellationToken cancellationToken) =>
        tables.UserSessions.GetRowAsync<MfaEntity>(userId, MfaEntity.Row, cancellationToken);

    /// <summary>Inserts a new row or replaces a read one if unchanged; false on a lost race.</summary>
    internal async Task<bool> TrySaveAsync(MfaEntity row, CancellationToken cancellationToken)
    {
        if (row.ETag != default)
        {
            return await tables.UserSessions.TryReplaceAsync(row, cancellationToken);
        }

        try
        {
            await tables.UserSessions.AddRowAsync(row, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            return false;
        }
    }

    /// <summary>Removes the user's TOTP row (secret and recovery codes); gone already is fine.</summary>
    internal Task DeleteAsync(string userId, CancellationToken cancellationToken) =>
        tables.UserSessions.DeleteIfExistsAsync(userId, MfaEntity.Row, cancellationToken);

    internal Task InsertChallengeAsync(MfaChallengeEntity challenge, CancellationToken cancellationToken) =>
        tables.UserSessions.AddRowAsync(challenge, cancellationToken);

    internal Task<MfaChallengeEntity?> FindChallengeAsync(string userId, string rowKey, CancellationToken cancellationToken) =>
        tables.UserSessions.GetRowAsync<MfaChallengeEntity>(userId, rowKey, cancellationToken);

    /// <summary>Records a wrong code in the challenge if unchanged since read; false on a lost race.</summary>
    internal Task<bool> TryRecordFailureAsync(MfaChallengeEntity challenge, CancellationToken cancellationToken) =>
        tables.UserSessions.TryReplaceAsync(challenge, cancellationToken);

    /// <summary>Spends the challenge if unchanged since read: false when another request answered or failed it first.</summary>
    internal async Task<bool> TrySpendChallengeAsync(MfaChallengeEntity challenge, CancellationToken cancellationToken)
    {
        try
        {
            await tables.UserSessions.DeleteEntityAsync(challenge.PartitionKey, challenge.RowKey, challenge.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return false;
        }
    }
}
