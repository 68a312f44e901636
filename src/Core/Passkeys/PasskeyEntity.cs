using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Passkeys;

/// <summary>
/// One passkey of a user. Table <c>UserSessions</c>; PartitionKey = the owner's user id, RowKey = "w:" + passkey id,
/// where the id is the first 128 bits of SHA-256 of the credential id, in hex (a credential id may be up to 1023
/// bytes, longer than a row key may be). All of a user's passkeys are one range query beside the sessions, and
/// removing the user's partition removes them.
/// </summary>
internal sealed class PasskeyEntity : ITableRow<PasskeyEntity>
{
    public const string RowPrefix = "w:";
    // The first string after every "w:..." row, for a range query over a partition's passkeys.
    public const string RowPrefixEnd = "w;";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public byte[] CredentialId { get; set; } = [];
    /// <summary>The COSE public key the authenticator registered.</summary>
    public byte[] PublicKey { get; set; } = [];
    /// <summary>The user handle the authenticator stored with the credential (random per user, never the user id).</summary>
    public byte[] UserHandle { get; set; } = [];
    public long SignCount { get; set; }
    /// <summary>Comma-separated transports the browser reported (internal, hybrid, usb...), for excludeCredentials.</summary>
    public string Transports { get; set; } = "";
    public bool BackupEligible { get; set; }
    public bool BackedUp { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    public string Id => RowKey[RowPrefix.Length..];

    public static string RowKeyFor(string id) => RowPrefix + id;

    public static PasskeyEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        Name = entity.GetString(nameof(Name)) ?? "",
        CredentialId = entity.GetBinary(nameof(CredentialId)) ?? [],
        PublicKey = entity.GetBinary(nameof(PublicKey)) ?? [],
        UserHandle = entity.GetBinary(nameof(UserHandle)) ?? [],
        SignCount = entity.GetInt64(nameof(SignCount)) ?? 0,
        Transports = entity.GetString(nameof(Transports)) ?? "",
        BackupEligible = entity.GetBoolean(nameof(BackupEligible)) ?? false,
        BackedUp = entity.GetBoolean(nameof(BackedUp)) ?? false,
        CreatedAt = entity.GetDateTimeOffset(nameof(CreatedAt)) ?? default,
        LastUsedAt = entity.GetDateTimeOffset(nameof(LastUsedAt)),
    };

    public TableEntity Write() => TableRows.Keys(this)
        .With(nameof(Name), Name)
        .With(nameof(CredentialId), CredentialId)
        .With(nameof(PublicKey), PublicKey)
        .With(nameof(UserHandle), UserHandle)
        .With(nameof(SignCount), SignCount)
        .With(nameof(Transports), Transports)
        .With(nameof(BackupEligible), BackupEligible)
        .With(nameof(BackedUp), BackedUp)
        .With(nameof(CreatedAt), CreatedAt)
        .With(nameof(LastUsedAt), LastUsedAt);
}
