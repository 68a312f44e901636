using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>
/// A user's account. Table <c>Users</c>; PartitionKey = <see cref="Accounts.EmailAddress.StorageKey"/> of the
/// normalised email, RowKey = "". Keyed by email so that inserting it is the arbiter of email uniqueness and login is
/// one point read.
/// </summary>
internal sealed class UserEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UserId { get; set; } = "";
    public string Email { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>Comma-separated, canonical order.</summary>
    public string Roles { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    public bool EmailVerified { get; set; }
    public bool Disabled { get; set; }
    /// <summary>Random; replaced whenever the password is set, so verification and reset tokens bound to it die.</summary>
    public string SecurityStamp { get; set; } = "";
}

/// <summary>
/// Finds a user's account from the user id. Table <c>UserSessions</c>; PartitionKey = user id, RowKey = "user".
/// It shares the partition with the user's sessions so sign-up writes both in one transaction.
/// </summary>
internal sealed class UserRefEntity : ITableEntity
{
    public const string Row = "user";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EmailKey { get; set; } = "";
}

/// <summary>
/// One signed-in device. Table <c>UserSessions</c>; PartitionKey = user id, RowKey = "s:" + session id, so all of a
/// user's sessions are one partition (one query and per-partition batches for global logout and force-logout).
/// </summary>
internal sealed class SessionEntity : ITableEntity
{
    public const string RowPrefix = "s:";
    // The first string after every "s:..." key, for a range query over a partition's sessions.
    public const string RowPrefixEnd = "s;";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EmailKey { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The User-Agent of the login that opened the session (shortened), for the sessions list.</summary>
    public string? UserAgent { get; set; }
    /// <summary>When the current refresh token expires; renewed by each rotation.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Rotation counter of the current refresh token.</summary>
    public long Counter { get; set; }
    /// <summary>Signing-key version whose derived key MACs the current refresh token.</summary>
    public string RefreshKeyId { get; set; } = "";
    public DateTimeOffset RotatedAt { get; set; }

    /// <summary>jti of the only access token FuncAuth accepts for this session; empty after a role change.</summary>
    public string AccessTokenId { get; set; } = "";
    public DateTimeOffset AccessIssuedAt { get; set; }
    public string AccessKeyId { get; set; } = "";

    public bool Revoked { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }

    [IgnoreDataMember]
    public string SessionId => RowKey[RowPrefix.Length..];

    public static string RowKeyFor(string sessionId) => RowPrefix + sessionId;
}

/// <summary>
/// The cleanup index. Table <c>SessionExpiry</c>; PartitionKey = the UTC hour ("yyyyMMddHH") from which the session
/// may be removable, RowKey = userId + "_" + sessionId. Cleanup reads only the hours that are due, so its cost follows
/// what comes due, not how many sessions exist.
/// </summary>
internal sealed class SessionExpiryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public static string Bucket(DateTimeOffset dueAt) =>
        dueAt.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);

    public static string RowKeyFor(string userId, string sessionId) => userId + "_" + sessionId;

    [IgnoreDataMember]
    public (string UserId, string SessionId) Session
    {
        get
        {
            var separator = RowKey.IndexOf('_', StringComparison.Ordinal);
            return separator < 0 ? (RowKey, "") : (RowKey[..separator], RowKey[(separator + 1)..]);
        }
    }
}
