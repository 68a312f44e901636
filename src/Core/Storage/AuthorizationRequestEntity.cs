using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>
/// One authorization request of the code flow, from <c>GET /oauth/authorize</c> to the code's redemption. Table
/// <c>AuthorizationRequests</c>; PartitionKey = the request id, RowKey empty: every step is a point read and one
/// conditional write (the ETag settles races), and the same row carries the code it turns into, so a request gives at most
/// one code and a code is spent once.
/// </summary>
internal sealed class AuthorizationRequestEntity : ITableRow<AuthorizationRequestEntity>
{
    public const string Requested = "requested";
    public const string CodeIssued = "code";
    public const string Redeemed = "redeemed";
    public const string Denied = "denied";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary><see cref="Requested"/>, <see cref="CodeIssued"/>, <see cref="Redeemed"/> or <see cref="Denied"/>.</summary>
    public string Stage { get; set; } = Requested;
    public string ClientId { get; set; } = "";
    public string RedirectUri { get; set; } = "";
    public string CodeChallenge { get; set; } = "";
    public string? State { get; set; }
    /// <summary>The granted scopes, space-separated (empty when none was asked for).</summary>
    public string Scope { get; set; } = "";
    public string? Nonce { get; set; }
    /// <summary>When the request (before the user completes it) or the code (after) stops being good.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>SHA-256 of the code's secret part, base64url; the code itself is never stored.</summary>
    public string? CodeHash { get; set; }
    public string? UserId { get; set; }
    /// <summary>The account's email key (its Users partition), so redemption reads the account with one point read.</summary>
    public string? EmailKey { get; set; }
    /// <summary>When the approving session's credential was proved, and how (<c>amr</c>, stored form): the new session's.</summary>
    public DateTimeOffset? AuthTime { get; set; }
    public string? Amr { get; set; }
    /// <summary>The security stamp of the session the user approved with: a credential change since voids the code.</summary>
    public string? SecurityStamp { get; set; }
    /// <summary>The session the code's redemption opened, ended if the code is presented again.</summary>
    public string? IssuedSessionId { get; set; }

    public string RequestId => PartitionKey;

    public static AuthorizationRequestEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        Stage = entity.GetString(nameof(Stage)) ?? "",
        ClientId = entity.GetString(nameof(ClientId)) ?? "",
        RedirectUri = entity.GetString(nameof(RedirectUri)) ?? "",
        CodeChallenge = entity.GetString(nameof(CodeChallenge)) ?? "",
        State = entity.GetString(nameof(State)),
        Scope = entity.GetString(nameof(Scope)) ?? "",
        Nonce = entity.GetString(nameof(Nonce)),
        ExpiresAt = entity.GetDateTimeOffset(nameof(ExpiresAt)) ?? default,
        CodeHash = entity.GetString(nameof(CodeHash)),
        UserId = entity.GetString(nameof(UserId)),
        EmailKey = entity.GetString(nameof(EmailKey)),
        AuthTime = entity.GetDateTimeOffset(nameof(AuthTime)),
        Amr = entity.GetString(nameof(Amr)),
        SecurityStamp = entity.GetString(nameof(SecurityStamp)),
        IssuedSessionId = entity.GetString(nameof(IssuedSessionId)),
    };

    public TableEntity Write() => TableRows.Keys(this)
        .With(nameof(Stage), Stage)
        .With(nameof(ClientId), ClientId)
        .With(nameof(RedirectUri), RedirectUri)
        .With(nameof(CodeChallenge), CodeChallenge)
        .With(nameof(State), State)
        .With(nameof(Scope), Scope)
        .With(nameof(Nonce), Nonce)
        .With(nameof(ExpiresAt), ExpiresAt)
        .With(nameof(CodeHash), CodeHash)
        .With(nameof(UserId), UserId)
        .With(nameof(EmailKey), EmailKey)
        .With(nameof(AuthTime), AuthTime)
        .With(nameof(Amr), Amr)
        .With(nameof(SecurityStamp), SecurityStamp)
        .With(nameof(IssuedSessionId), IssuedSessionId);
}
