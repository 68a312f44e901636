using System.Globalization;
using Azure.Data.Tables;
using Azure;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Storage;

namespace FuncAuth.FaultSuite;

/// <summary>One broken rule, with the keys that show where.</summary>
public sealed record Violation(string Rule, string Detail)
{
    public override string ToString() => $"{Rule}: {Detail}";
}

/// <summary>The rules the checker applies; each is named in its violations.</summary>
public static class InvariantRules
{
    /// <summary>An account (Users) whose user id has no reference row in UserSessions pointing back at it.</summary>
    public const string AccountWithoutUserReference = "account-without-user-reference";

    /// <summary>A user reference (UserSessions, RowKey "user") whose account is missing or belongs to another user id.</summary>
    public const string UserReferenceWithoutAccount = "user-reference-without-account";

    /// <summary>
    /// A profile copy (UserSessions, RowKey "user") that no write of its account made: newer than the account by
    /// revision, or at the account's revision with other values. A copy behind its account is the known window of a
    /// failed copy write (put right when the call is retried), not a violation.
    /// </summary>
    public const string ProfileCopyNotFromAccount = "profile-copy-not-from-account";

    /// <summary>Two accounts for one normalised email: stored under a key that is not their email's, or referenced twice.</summary>
    public const string TwoAccountsForOneEmail = "two-accounts-for-one-email";

    /// <summary>A session in a partition without a user reference: nobody can reach or force-logout it.</summary>
    public const string SessionWithoutUser = "session-without-user";

    /// <summary>A session with no entry in the cleanup index (SessionExpiry): cleanup would never remove it.</summary>
    public const string SessionMissingFromCleanupIndex = "session-missing-from-cleanup-index";

    /// <summary>
    /// A session both revoked and current: the revocation fields disagree (Revoked without RevokedAt and reason, or a
    /// revocation time or reason on a session not marked revoked), so one reader would accept it and another not.
    /// </summary>
    public const string SessionRevokedAndCurrent = "session-revoked-and-current";

    /// <summary>An index entry whose session does not exist and that cleanup would never visit (its hour or key is malformed).</summary>
    public const string IndexEntryNeverRemoved = "index-entry-pointing-at-nothing-never-removed";

    /// <summary>
    /// A rate-limit counter (RateLimits) that the limiter could not have written: a count below one (a counter taken back
    /// to zero is removed), a window end that disagrees with its partition key, or a row key naming no limit. Counts are
    /// not compared with the limits, which are configuration; expired counters are not an inconsistency (cleanup removes
    /// them).
    /// </summary>
    public const string RateCounterMalformed = "rate-counter-malformed";

    /// <summary>An API key (UserSessions, RowKey "k:&lt;id&gt;") whose user is gone, or whose id names another owner.</summary>
    public const string ApiKeyWithoutUser = "api-key-without-user";

    /// <summary>An API key missing from the cleanup index (SessionExpiry, partition "k" + its expiry hour): it would never be removed.</summary>
    public const string ApiKeyMissingFromCleanupIndex = "api-key-missing-from-cleanup-index";

    /// <summary>A row in UserSessions that is neither a user reference, a session nor an API key.</summary>
    public const string UnknownRow = "unknown-row";

    /// <summary>
    /// An email an answer promised that is neither delivered to the SMTP server nor in the outbox or poison queue. It needs
    /// the suite's record of promised emails and the server's API, so it is an <see cref="IInvariantRule"/> of its own
    /// (<see cref="EmailLostFromOutboxRule"/>, added through <see cref="InvariantChecker.ExtraRules"/>).
    /// </summary>
    public const string EmailLostFromOutbox = "email-lost-from-outbox";

    /// <summary>
    /// A successful state change the tables show (a session opened or ended, an API key, a disabled or verified account)
    /// without its audit event. It reads the audit table too, so it is an <see cref="IInvariantRule"/> of its own
    /// (<see cref="StateChangeWithoutEventRule"/>, added through <see cref="InvariantChecker.ExtraRules"/>).
    /// </summary>
    public const string StateChangeWithoutEvent = "state-change-without-event";
}

/// <summary>Everything the checker read, for rules that need more than the tables' rows (a queue, another table).</summary>
public sealed class TableSnapshot
{
    internal List<UserEntity> Accounts { get; } = [];
    internal List<UserRefEntity> UserReferences { get; } = [];
    internal List<SessionEntity> Sessions { get; } = [];
    internal List<SessionExpiryEntity> IndexEntries { get; } = [];
    internal List<ApiKeyEntity> ApiKeys { get; } = [];
    internal List<TableEntity> OtherRows { get; } = [];
    internal List<RateCounterEntity> RateCounters { get; } = [];

    public int AccountCount => Accounts.Count;
    public int SessionCount => Sessions.Count;
    public int IndexEntryCount => IndexEntries.Count;
    public int RateCounterCount => RateCounters.Count;
}

/// <summary>Extension point for rules over data that arrives later (the email outbox, limits).</summary>
public interface IInvariantRule
{
    Task<IEnumerable<Violation>> CheckAsync(TableServiceClient service, string tablePrefix, TableSnapshot snapshot, CancellationToken cancellationToken);
}

/// <summary>
/// Reads every row of FuncAuth's tables (full scans: a tool for after a test run or an incident, never for a request
/// path) and reports every inconsistency between them. It reads through the app's own entity types, so a change of the
/// table layout that the checker does not follow fails to compile here instead of passing unnoticed.
/// </summary>
public sealed class InvariantChecker(TableServiceClient service, string tablePrefix = "")
{
    /// <summary>Rules over data beyond the tables, such as the outbox rule (<see cref="EmailLostFromOutboxRule"/>).</summary>
    public IList<IInvariantRule> ExtraRules { get; } = [];

    public async Task<(IReadOnlyList<Violation> Violations, TableSnapshot Snapshot)> CheckAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await ReadAsync(cancellationToken);
        var violations = Check(snapshot);
        foreach (var rule in ExtraRules)
        {
            violations.AddRange(await rule.CheckAsync(service, tablePrefix, snapshot, cancellationToken));
        }

        return (violations, snapshot);
    }

    private async Task<TableSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var snapshot = new TableSnapshot();
        var users = service.GetTableClient(tablePrefix + AuthTables.UsersTable);
        var userSessions = service.GetTableClient(tablePrefix + AuthTables.UserSessionsTable);
        var index = service.GetTableClient(tablePrefix + AuthTables.SessionExpiryTable);

        await foreach (var account in users.QueryAsync<UserEntity>(cancellationToken: cancellationToken))
        {
            snapshot.Accounts.Add(account);
        }

        await foreach (var row in userSessions.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            if (row.PartitionKey == FuncAuth.Core.Accounts.Admin.AdminIndex.Partition)
            {
                // The index of enabled admins (the last-admin rule), not a user's row.
                continue;
            }

            if (row.PartitionKey == FuncAuth.Core.Passkeys.PasskeyIndexEntity.Partition
                || row.RowKey.StartsWith(FuncAuth.Core.Passkeys.PasskeyEntity.RowPrefix, StringComparison.Ordinal))
            {
                // Passkeys and their credential index: the fault suite registers none, and no rule covers them yet.
                continue;
            }

            if (row.RowKey == UserRefEntity.Row)
            {
                snapshot.UserReferences.Add(UserRefEntity.Read(row));
            }
            else if (row.RowKey.StartsWith(SessionEntity.RowPrefix, StringComparison.Ordinal))
            {
                snapshot.Sessions.Add(new SessionEntity
                {
                    PartitionKey = row.PartitionKey,
                    RowKey = row.RowKey,
                    EmailKey = row.GetString(nameof(SessionEntity.EmailKey)) ?? "",
                    ExpiresAt = row.GetDateTimeOffset(nameof(SessionEntity.ExpiresAt)) ?? default,
                    Counter = row.GetInt64(nameof(SessionEntity.Counter)) ?? 0,
                    AccessTokenId = row.GetString(nameof(SessionEntity.AccessTokenId)) ?? "",
                    Revoked = row.GetBoolean(nameof(SessionEntity.Revoked)) ?? false,
                    RevokedAt = row.GetDateTimeOffset(nameof(SessionEntity.RevokedAt)),
                    RevokedReason = row.GetString(nameof(SessionEntity.RevokedReason)),
                });
            }
            else if (row.RowKey.StartsWith(ApiKeyEntity.RowPrefix, StringComparison.Ordinal))
            {
                snapshot.ApiKeys.Add(new ApiKeyEntity
                {
                    PartitionKey = row.PartitionKey,
                    RowKey = row.RowKey,
                    ExpiresAt = row.GetDateTimeOffset(nameof(ApiKeyEntity.ExpiresAt)) ?? default,
                });
            }
            else
            {
                snapshot.OtherRows.Add(row);
            }
        }

        await foreach (var entry in index.QueryAsync<SessionExpiryEntity>(cancellationToken: cancellationToken))
        {
            snapshot.IndexEntries.Add(entry);
        }

        // The limiter's table exists once the app has started; a deployment that never created it has no counters.
        try
        {
            var rateLimits = service.GetTableClient(tablePrefix + AuthTables.RateLimitsTable);
            await foreach (var counter in rateLimits.QueryAsync<RateCounterEntity>(cancellationToken: cancellationToken))
            {
                snapshot.RateCounters.Add(counter);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }

        return snapshot;
    }

    private static bool SameProfile(UserRefEntity copy, UserEntity account)
    {
        var expected = UserRefEntity.Of(account);
        return (copy.Email, copy.Name, copy.Roles, copy.CreatedAt, copy.EmailVerified, copy.Disabled, copy.SecurityStamp)
            == (expected.Email, expected.Name, expected.Roles, expected.CreatedAt, expected.EmailVerified, expected.Disabled, expected.SecurityStamp);
    }

    private static List<Violation> Check(TableSnapshot s)
    {
        var violations = new List<Violation>();
        var references = s.UserReferences.ToDictionary(r => r.PartitionKey, StringComparer.Ordinal);
        var accountsByKey = s.Accounts.ToDictionary(a => a.PartitionKey, StringComparer.Ordinal);

        foreach (var account in s.Accounts)
        {
            if (!references.TryGetValue(account.UserId, out var reference) || reference.EmailKey != account.PartitionKey)
            {
                violations.Add(new(InvariantRules.AccountWithoutUserReference, $"account {account.PartitionKey} (user {account.UserId})"));
            }

            if (EmailAddress.StorageKey(EmailAddress.Normalize(account.Email)) != account.PartitionKey)
            {
                violations.Add(new(InvariantRules.TwoAccountsForOneEmail, $"account {account.PartitionKey} (user {account.UserId}) is not stored under its email's key"));
            }
        }

        foreach (var group in s.Accounts.GroupBy(a => EmailAddress.StorageKey(EmailAddress.Normalize(a.Email)), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            violations.Add(new(InvariantRules.TwoAccountsForOneEmail, $"email key {group.Key}: users {string.Join(", ", group.Select(a => a.UserId))}"));
        }

        foreach (var group in s.UserReferences.GroupBy(r => r.EmailKey, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            violations.Add(new(InvariantRules.TwoAccountsForOneEmail, $"email key {group.Key} referenced by users {string.Join(", ", group.Select(r => r.PartitionKey))}"));
        }

        foreach (var reference in s.UserReferences)
        {
            if (!accountsByKey.TryGetValue(reference.EmailKey, out var account) || account.UserId != reference.PartitionKey)
            {
                violations.Add(new(InvariantRules.UserReferenceWithoutAccount, $"user {reference.PartitionKey} → email key {reference.EmailKey}"));
            }
            else if (reference.HasProfile
                && (reference.Revision > account.Revision || (reference.Revision == account.Revision && !SameProfile(reference, account))))
            {
                violations.Add(new(InvariantRules.ProfileCopyNotFromAccount,
                    $"user {reference.PartitionKey}: copy at revision {reference.Revision}, account at {account.Revision}"));
            }
        }

        var indexed = s.IndexEntries.Select(e => e.RowKey).ToHashSet(StringComparer.Ordinal);
        var sessionKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var session in s.Sessions)
        {
            var key = SessionExpiryEntity.RowKeyFor(session.PartitionKey, session.SessionId);
            sessionKeys.Add(key);
            if (!references.ContainsKey(session.PartitionKey))
            {
                violations.Add(new(InvariantRules.SessionWithoutUser, $"session {session.SessionId} of user {session.PartitionKey}"));
            }

            if (!indexed.Contains(key))
            {
                violations.Add(new(InvariantRules.SessionMissingFromCleanupIndex, $"session {session.SessionId} of user {session.PartitionKey} (revoked: {session.Revoked})"));
            }

            var revocationRecorded = session.RevokedAt is not null || !string.IsNullOrEmpty(session.RevokedReason);
            var revocationComplete = session.RevokedAt is not null && !string.IsNullOrEmpty(session.RevokedReason);
            if (session.Revoked ? !revocationComplete : revocationRecorded)
            {
                violations.Add(new(InvariantRules.SessionRevokedAndCurrent,
                    $"session {session.SessionId} of user {session.PartitionKey}: Revoked={session.Revoked}, RevokedAt={session.RevokedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "none"}, reason={session.RevokedReason ?? "none"}"));
            }
        }

        // API keys: in their owner's partition, and filed for cleanup under "k" + their expiry hour.
        var keyIndex = s.IndexEntries.Where(e => e.PartitionKey.StartsWith(ApiKeyExpiryIndex.PartitionPrefix, StringComparison.Ordinal))
            .Select(e => (e.PartitionKey, e.RowKey)).ToHashSet();
        foreach (var key in s.ApiKeys)
        {
            if (!references.ContainsKey(key.PartitionKey) || !ApiKeyFormat.IsValidId(key.KeyId) || ApiKeyFormat.OwnerOf(key.KeyId) != key.PartitionKey)
            {
                violations.Add(new(InvariantRules.ApiKeyWithoutUser, $"API key {key.KeyId} of user {key.PartitionKey}"));
            }

            if (!keyIndex.Contains((ApiKeyExpiryIndex.Partition(key.ExpiresAt), key.KeyId)))
            {
                violations.Add(new(InvariantRules.ApiKeyMissingFromCleanupIndex, $"API key {key.KeyId} of user {key.PartitionKey}"));
            }
        }

        foreach (var entry in s.IndexEntries.Where(e => !sessionKeys.Contains(e.RowKey)))
        {
            if (entry.PartitionKey.StartsWith(ApiKeyExpiryIndex.PartitionPrefix, StringComparison.Ordinal))
            {
                // A key's entry: cleanup visits it once its hour is due and drops it whether or not the key is still there.
                if (!DateTime.TryParseExact(entry.PartitionKey[ApiKeyExpiryIndex.PartitionPrefix.Length..], "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    || !ApiKeyFormat.IsValidId(entry.RowKey))
                {
                    violations.Add(new(InvariantRules.IndexEntryNeverRemoved, $"index entry {entry.PartitionKey}/{entry.RowKey}"));
                }

                continue;
            }

            // Cleanup visits an entry once its hour is due and drops it when the session is gone. It never visits an entry
            // whose hour is not an hour, and cannot find the session of a key that does not name one.
            var (userId, sessionId) = entry.Session;
            var dueSomeday = DateTime.TryParseExact(entry.PartitionKey, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
            if (!dueSomeday || !Ids.IsValid(userId) || !Ids.IsValid(sessionId))
            {
                violations.Add(new(InvariantRules.IndexEntryNeverRemoved, $"index entry {entry.PartitionKey}/{entry.RowKey}"));
            }
        }

        var limitNames = Enum.GetNames<RateLimitName>().ToHashSet(StringComparer.Ordinal);
        foreach (var counter in s.RateCounters)
        {
            var windowEnd = counter.PartitionKey.Split('-') is [{ Length: 2 }, var end] && long.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : (DateTimeOffset?)null;
            if (counter.RowKey.StartsWith(FuncAuth.Core.Passkeys.PasskeyStore.SpentChallengePrefix, StringComparison.Ordinal) && counter.Count == 1 && windowEnd is not null)
            {
                // A spent passkey challenge, filed like a counter so the limits' cleanup removes it.
                continue;
            }

            // The name ends at the first dash: a per-account-and-address counter's row holds two digests after it.
            var dash = counter.RowKey.IndexOf('-', StringComparison.Ordinal);
            if (counter.Count < 1 || !WindowAgrees(counter, windowEnd) || dash <= 0 || !limitNames.Contains(counter.RowKey[..dash]))
            {
                violations.Add(new(InvariantRules.RateCounterMalformed,
                    $"RateLimits {counter.PartitionKey}/{counter.RowKey}: Count={counter.Count}, WindowEnd={counter.WindowEnd.ToString("O", CultureInfo.InvariantCulture)}"));
            }
        }

        foreach (var row in s.OtherRows)
        {
            violations.Add(new(InvariantRules.UnknownRow, $"UserSessions {row.PartitionKey}/{row.RowKey}"));
        }

        return violations;
    }

    /// <summary>
    /// Whether a counter's window end agrees with where it is filed. Most counters' partition ends with their window's
    /// end. An account's two failure counters share one partition, which ends with the later of their windows' ends, and
    /// each row key names its own window's end after the account digest (<c>Name-digest-end[-digest]</c>): that end is
    /// the counter's, and the partition's is not earlier.
    /// </summary>
    private static bool WindowAgrees(RateCounterEntity counter, DateTimeOffset? partitionEnd)
    {
        var end = counter.WindowEnd.ToUnixTimeSeconds();
        var parts = counter.RowKey.Split('-');
        var isFailureCounter = parts[0] is nameof(RateLimitName.LoginFailuresPerAccount) or nameof(RateLimitName.LoginFailuresPerAccountAndAddress);
        if (!isFailureCounter)
        {
            return partitionEnd?.ToUnixTimeSeconds() == end;
        }

        return parts.Length >= 3
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var rowEnd)
            && rowEnd == end
            && partitionEnd?.ToUnixTimeSeconds() >= end;
    }
}
