using System.Diagnostics;
using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Sessions;

namespace FuncAuth.Core.Storage;

/// <summary>
/// One signed-in device. Table <c>UserSessions</c>; PartitionKey = user id, RowKey = "s:" + session id, so all of a
/// user's sessions are one partition (one query and per-partition batches for global logout and force-logout).
/// </summary>
internal sealed class SessionEntity : ITableRow<SessionEntity>
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
    /// <summary>
    /// The account's security stamp when the login (or sign-up) that opened the session proved the password; empty for
    /// a session stored before stamps were recorded. Refused once the account's stamp moves on (<see cref="UserRefEntity.Admits"/>).
    /// </summary>
    public string SecurityStamp { get; set; } = "";
    /// <summary>The registered OAuth client an authorization code opened the session for; null for FuncAuth's own sign-in.</summary>
    public string? ClientId { get; set; }
    /// <summary>
    /// When a credential was last proved in the session (<c>auth_time</c>): the login that opened it, or the latest
    /// re-authentication. Null for a session stored before it was recorded: <see cref="ProvedAt"/> falls back to <see cref="CreatedAt"/>.
    /// </summary>
    public DateTimeOffset? AuthTime { get; set; }
    /// <summary>What was proved in the session (<c>amr</c>, RFC 8176), in <see cref="AuthMethods.Format"/>'s stored form.</summary>
    public string Amr { get; set; } = "";
    /// <summary>
    /// The due time the session's cleanup-index entry is filed under, so removing the user reaches the entry by a point
    /// delete; null for a session filed before this was recorded.
    /// </summary>
    public DateTimeOffset? IndexedDueAt { get; set; }
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
    /// <summary>The stored name of a <see cref="RevocationReason"/>; set only through <see cref="Revoke"/>.</summary>
    public string? RevokedReason { get; set; }

    /// <summary>Why the session ended, or null while it is live.</summary>
    [IgnoreDataMember]
    public RevocationReason? Revocation =>
        Revoked
            ? Enum.GetValues<RevocationReason>().Where(r => StoredName(r) == RevokedReason).Select(r => (RevocationReason?)r).FirstOrDefault()
            : null;

    /// <summary>Ends the session. Write it back with its ETag to make it stick.</summary>
    public void Revoke(RevocationReason reason, DateTimeOffset at)
    {
        Revoked = true;
        RevokedAt = at;
        RevokedReason = StoredName(reason);
    }

    /// <summary>The same change as <see cref="Revoke"/>, as the columns a merge writes to sessions not read first.</summary>
    public static IReadOnlyDictionary<string, object?> RevocationColumns(RevocationReason reason, DateTimeOffset at) =>
        new Dictionary<string, object?>
        {
            [nameof(Revoked)] = true,
            [nameof(RevokedAt)] = at,
            [nameof(RevokedReason)] = StoredName(reason),
        };

    // The stored names predate the enum; they stay as they are so sessions already stored keep their meaning. The
    // revocation metric tags its counts with the same names.
    internal static string StoredName(RevocationReason reason) => reason switch
    {
        RevocationReason.Logout => "logout",
        RevocationReason.LogoutGlobal => "logout_global",
        RevocationReason.LogoutOthers => "logout_others",
        RevocationReason.ForceLogout => "force_logout",
        RevocationReason.RefreshTokenReused => "refresh_token_reused",
        RevocationReason.PasswordReset => "password_reset",
        RevocationReason.PasswordChanged => "password_changed",
        RevocationReason.AccountDeleted => "account_deleted",
        RevocationReason.AccountDisabled => "account_disabled",
        RevocationReason.SessionDeleted => "session_deleted",
        RevocationReason.SessionLimit => "session_limit",
        RevocationReason.MfaReset => "mfa_reset",
        RevocationReason.AuthorizationCodeReused => "authorization_code_reused",
        _ => throw new UnreachableException(),
    };

    public static SessionEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        EmailKey = entity.GetString(nameof(EmailKey)) ?? "",
        CreatedAt = entity.GetDateTimeOffset(nameof(CreatedAt)) ?? default,
        UserAgent = entity.GetString(nameof(UserAgent)),
        SecurityStamp = entity.GetString(nameof(SecurityStamp)) ?? "",
        ClientId = entity.GetString(nameof(ClientId)),
        AuthTime = entity.GetDateTimeOffset(nameof(AuthTime)),
        Amr = entity.GetString(nameof(Amr)) ?? "",
        IndexedDueAt = entity.GetDateTimeOffset(nameof(IndexedDueAt)),
        ExpiresAt = entity.GetDateTimeOffset(nameof(ExpiresAt)) ?? default,
        Counter = entity.GetInt64(nameof(Counter)) ?? 0,
        RefreshKeyId = entity.GetString(nameof(RefreshKeyId)) ?? "",
        RotatedAt = entity.GetDateTimeOffset(nameof(RotatedAt)) ?? default,
        AccessTokenId = entity.GetString(nameof(AccessTokenId)) ?? "",
        AccessIssuedAt = entity.GetDateTimeOffset(nameof(AccessIssuedAt)) ?? default,
        AccessKeyId = entity.GetString(nameof(AccessKeyId)) ?? "",
        Revoked = entity.GetBoolean(nameof(Revoked)) ?? false,
        RevokedAt = entity.GetDateTimeOffset(nameof(RevokedAt)),
        RevokedReason = entity.GetString(nameof(RevokedReason)),
    };

    public TableEntity Write() => TableRows.Keys(this)
        .With(nameof(EmailKey), EmailKey)
        .With(nameof(CreatedAt), CreatedAt)
        .With(nameof(UserAgent), UserAgent)
        .With(nameof(SecurityStamp), SecurityStamp)
        .With(nameof(ClientId), ClientId)
        .With(nameof(AuthTime), AuthTime)
        .With(nameof(Amr), Amr)
        .With(nameof(IndexedDueAt), IndexedDueAt)
        .With(nameof(ExpiresAt), ExpiresAt)
        .With(nameof(Counter), Counter)
        .With(nameof(RefreshKeyId), RefreshKeyId)
        .With(nameof(RotatedAt), RotatedAt)
        .With(nameof(AccessTokenId), AccessTokenId)
        .With(nameof(AccessIssuedAt), AccessIssuedAt)
        .With(nameof(AccessKeyId), AccessKeyId)
        .With(nameof(Revoked), Revoked)
        .With(nameof(RevokedAt), RevokedAt)
        .With(nameof(RevokedReason), RevokedReason);

    /// <summary>When a credential was last proved in the session.</summary>
    [IgnoreDataMember]
    public DateTimeOffset ProvedAt => AuthTime ?? CreatedAt;

    /// <summary>The methods proved in the session (a session stored before they were recorded: a password).</summary>
    [IgnoreDataMember]
    public IReadOnlyList<string> Methods => AuthMethods.Parse(Amr);

    [IgnoreDataMember]
    public string SessionId => RowKey[RowPrefix.Length..];

    public static string RowKeyFor(string sessionId) => RowPrefix + sessionId;
}
