using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.ApiKeys;

/// <summary>
/// One API key. Table <c>UserSessions</c>; PartitionKey = the owner's user id, RowKey = "k:" + key id.
/// </summary>
/// <remarks>
/// Why this layout: the key id starts with the owner's user id, so a presented key names its own row and verifying it is
/// one point read; and all of a user's keys sit in the user's partition beside the sessions, so the owner's list is one
/// range query and revoking all of them (account deleted or disabled) is that query plus per-partition batches. A
/// second table keyed by key id would cost a second write on create and revoke and a second table in the
/// infrastructure, and buy only a shorter id. The owner's user id is no secret (it is every token's <c>sub</c>).
/// The row holds the key's SHA-256 digest, never the key. Revoking deletes the row, so a revoked key and an unknown
/// key take the same path.
/// </remarks>
internal sealed class ApiKeyEntity : ITableRow<ApiKeyEntity>
{
    public const string RowPrefix = "k:";
    // The first string after every "k:..." key, for a range query over a partition's keys.
    public const string RowPrefixEnd = "k;";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    /// <summary>Space-separated roles, canonical order.</summary>
    public string Scope { get; set; } = "";
    /// <summary>SHA-256 of the whole key (<see cref="ApiKeyFormat.Digest"/>).</summary>
    public byte[] Digest { get; set; } = [];
    /// <summary>The owner's account key in <c>Users</c>, so the owner is one more point read away.</summary>
    public string EmailKey { get; set; } = "";
    /// <summary>
    /// The security stamp of the session that created the key: once the account's stamp moves on (reset, password
    /// change, disable) the key is refused, even one created in the moment before. Empty for keys stored before.
    /// </summary>
    public string SecurityStamp { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Written at most once per <see cref="ApiKeyUsage.Interval"/>.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public static ApiKeyEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        Name = entity.GetString(nameof(Name)) ?? "",
        Scope = entity.GetString(nameof(Scope)) ?? "",
        Digest = entity.GetBinary(nameof(Digest)) ?? [],
        EmailKey = entity.GetString(nameof(EmailKey)) ?? "",
        SecurityStamp = entity.GetString(nameof(SecurityStamp)) ?? "",
        CreatedAt = entity.GetDateTimeOffset(nameof(CreatedAt)) ?? default,
        ExpiresAt = entity.GetDateTimeOffset(nameof(ExpiresAt)) ?? default,
        LastUsedAt = entity.GetDateTimeOffset(nameof(LastUsedAt)),
    };

    public TableEntity Write() => TableRows.Keys(this)
        .With(nameof(Name), Name)
        .With(nameof(Scope), Scope)
        .With(nameof(Digest), Digest)
        .With(nameof(EmailKey), EmailKey)
        .With(nameof(SecurityStamp), SecurityStamp)
        .With(nameof(CreatedAt), CreatedAt)
        .With(nameof(ExpiresAt), ExpiresAt)
        .With(nameof(LastUsedAt), LastUsedAt);

    [IgnoreDataMember]
    public string KeyId => RowKey[RowPrefix.Length..];

    public static string RowKeyFor(string keyId) => RowPrefix + keyId;
}
