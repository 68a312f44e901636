using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

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
