using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Passkeys;

/// <summary>Passkeys in their owners' partitions of <c>UserSessions</c>, the credential-id index, and spent challenges.</summary>
public sealed class PasskeyStore(AuthTables tables)
{
    /// <summary>The row-key prefix of a spent challenge in <c>RateLimits</c> (beside the limits' names).</summary>
    internal const string SpentChallengePrefix = "PasskeyChallenge-";

    /// <summary>The passkey id of a credential id: 128 bits of its SHA-256, lower-case hex.</summary>
    internal static string IdOf(ReadOnlySpan<byte> credentialId) => Convert.ToHexStringLower(SHA256.HashData(credentialId), 0, 16);

    internal static bool IsValidId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    /// <summary>Every passkey of the user: one range query over the user's partition.</summary>
    internal async Task<List<PasskeyEntity>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {userId} and RowKey ge {PasskeyEntity.RowPrefix} and RowKey lt {PasskeyEntity.RowPrefixEnd}");
        var passkeys = new List<PasskeyEntity>();
        await foreach (var passkey in tables.UserSessions.QueryRowsAsync<PasskeyEntity>(filter, cancellationToken: cancellationToken))
        {
            passkeys.Add(passkey);
        }

        return passkeys;
    }

    /// <summary>Whether the user has a passkey: the same range query, one row at most, keys only.</summary>
    internal async Task<bool> AnyAsync(string userId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {userId} and RowKey ge {PasskeyEntity.RowPrefix} and RowKey lt {PasskeyEntity.RowPrefixEnd}");
        await foreach (var page in tables.UserSessions.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken).AsPages())
        {
            if (page.Values.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The owner of a credential (one point read of the index), or null.</summary>
    internal async Task<string?> OwnerOfAsync(string id, CancellationToken cancellationToken) =>
        (await tables.UserSessions.GetRowAsync<PasskeyIndexEntity>(PasskeyIndexEntity.Partition, id, cancellationToken))?.UserId;

    /// <summary>The passkey row and its owner's row (reference and profile copy) in one partition query.</summary>
    internal async Task<(PasskeyEntity? Passkey, UserRefEntity? Owner)> GetWithOwnerAsync(string userId, string id, CancellationToken cancellationToken)
    {
        var (row, owner) = await tables.UserSessions.GetWithUserRowAsync(userId, PasskeyEntity.RowKeyFor(id), cancellationToken);
        return (row is null ? null : PasskeyEntity.Read(row), owner);
    }

    /// <summary>
    /// Files the credential under its owner in the index; false when the credential id is registered already. An index
    /// entry whose passkey row is gone (a removal that failed half way) is taken over.
    /// </summary>
    internal async Task<bool> TryIndexAsync(string id, string userId, CancellationToken cancellationToken)
    {
        var entry = new PasskeyIndexEntity { RowKey = id, UserId = userId };
        try
        {
            await tables.UserSessions.AddRowAsync(entry, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
        }

        var existing = await tables.UserSessions.GetRowAsync<PasskeyIndexEntity>(PasskeyIndexEntity.Partition, id, cancellationToken);
        if (existing is null || (await tables.UserSessions.GetRowAsync<PasskeyEntity>(existing.UserId, PasskeyEntity.RowKeyFor(id), cancellationToken)) is not null)
        {
            return false;
        }

        entry.ETag = existing.ETag;
        try
        {
            await tables.UserSessions.ReplaceRowAsync(entry, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return false;
        }
    }

    internal Task InsertAsync(PasskeyEntity passkey, CancellationToken cancellationToken) => tables.UserSessions.AddRowAsync(passkey, cancellationToken);

    /// <summary>Deletes the passkey, then its index entry (an entry without a row is harmless and taken over); false when there was none.</summary>
    internal async Task<bool> DeleteAsync(string userId, string id, CancellationToken cancellationToken)
    {
        var deleted = await tables.UserSessions.DeleteIfExistsAsync(userId, PasskeyEntity.RowKeyFor(id), cancellationToken);
        await DeleteIndexEntryAsync(userId, id, cancellationToken);
        return deleted;
    }

    /// <summary>Removes the index entry when it still names <paramref name="userId"/>.</summary>
    internal async Task DeleteIndexEntryAsync(string userId, string id, CancellationToken cancellationToken)
    {
        var entry = await tables.UserSessions.GetRowAsync<PasskeyIndexEntity>(PasskeyIndexEntity.Partition, id, cancellationToken);
        if (entry is not null && entry.UserId == userId)
        {
            try
            {
                await tables.UserSessions.DeleteEntityAsync(PasskeyIndexEntity.Partition, id, entry.ETag, cancellationToken);
            }
            catch (RequestFailedException e) when (e.IsLostRace())
            {
                // Removed or taken over meanwhile.
            }
        }
    }

    /// <summary>Records a use: the new signature counter and when, if the row is unchanged since read; false on a lost race or a deleted passkey.</summary>
    internal async Task<bool> TryTouchAsync(PasskeyEntity passkey, long signCount, bool backedUp, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        try
        {
            await tables.UserSessions.UpdateEntityAsync(
                new TableEntity(passkey.PartitionKey, passkey.RowKey)
                {
                    [nameof(PasskeyEntity.SignCount)] = signCount,
                    [nameof(PasskeyEntity.BackedUp)] = backedUp,
                    [nameof(PasskeyEntity.LastUsedAt)] = usedAt,
                },
                passkey.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return false;
        }
    }

    /// <summary>
    /// Spends a challenge: one insert into <c>RateLimits</c>, as a counter of the challenge's uses that may reach one,
    /// whose window ends when the challenge expires (so the limits' cleanup removes it). False when it was spent before.
    /// </summary>
    internal async Task<bool> TrySpendChallengeAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var partitionKey = RateLimitStore.Partition(Convert.FromHexString(nonce)[0] % RateLimitStore.Shards, expiresAt);
        var rowKey = SpentChallengePrefix + nonce;
        try
        {
            await tables.RateLimits.AddRowAsync(
                new RateCounterEntity { PartitionKey = partitionKey, RowKey = rowKey, Count = 1, WindowEnd = expiresAt }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            return false;
        }
    }
}
