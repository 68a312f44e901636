using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Mfa;

/// <summary>
/// A user's second factors. Table <c>UserSessions</c>, PartitionKey = user id, RowKey = "mfa": in the user's partition,
/// so account deletion removes it with the sessions. The TOTP secrets are stored only as <see cref="TotpSecretProtector"/>
/// ciphertexts and the recovery codes only as SHA-256 hashes.
/// </summary>
internal sealed class MfaEntity : ITableRow<MfaEntity>
{
    public const string Row = "mfa";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The confirmed TOTP secret, protected; null while TOTP is off.</summary>
    public string? TotpSecret { get; set; }
    public DateTimeOffset? TotpCreatedAt { get; set; }
    /// <summary>A secret handed out for enrolment and not yet confirmed, protected.</summary>
    public string? PendingSecret { get; set; }
    /// <summary>The last TOTP time step accepted: a code of that step or an earlier one is refused (replay).</summary>
    public long LastStep { get; set; }
    /// <summary>The unused recovery codes' SHA-256 hashes, base64url, space-separated.</summary>
    public string RecoveryCodes { get; set; } = "";

    [IgnoreDataMember]
    public bool TotpEnabled => TotpSecret is { Length: > 0 };

    [IgnoreDataMember]
    public IReadOnlyList<string> RecoveryCodeHashes => RecoveryCodes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static MfaEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        TotpSecret = entity.GetString(nameof(TotpSecret)),
        TotpCreatedAt = entity.GetDateTimeOffset(nameof(TotpCreatedAt)),
        PendingSecret = entity.GetString(nameof(PendingSecret)),
        LastStep = entity.GetInt64(nameof(LastStep)) ?? 0,
        RecoveryCodes = entity.GetString(nameof(RecoveryCodes)) ?? "",
    };

    public TableEntity Write() => TableRows.Keys(this)
        .With(nameof(TotpSecret), TotpSecret)
        .With(nameof(TotpCreatedAt), TotpCreatedAt)
        .With(nameof(PendingSecret), PendingSecret)
        .With(nameof(LastStep), LastStep)
        .With(nameof(RecoveryCodes), RecoveryCodes);
}

/// <summary>
/// A sign-in waiting for its second factor (the <c>mfaToken</c>). Table <c>UserSessions</c>, PartitionKey = user id,
/// RowKey = "m:" + SHA-256 of the token's secret part, so the table alone cannot answer a challenge.
/// </summary>
internal sealed class MfaChallengeEntity : ITableRow<MfaChallengeEntity>
{
    public const string RowPrefix = "m:";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Wrong codes presented with it; at <see cref="MfaService.MaxWrongCodes"/> it is dead.</summary>
    public int Failures { get; set; }
    /// <summary>The account's security stamp when the password was checked: a credential change since kills it.</summary>
    public string SecurityStamp { get; set; } = "";

    public static MfaChallengeEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        ExpiresAt = entity.GetDateTimeOffset(nameof(ExpiresAt)) ?? default,
        Failures = entity.GetInt32(nameof(Failures)) ?? 0,
        SecurityStamp = entity.GetString(nameof(SecurityStamp)) ?? "",
    };

    public TableEntity Write() => TableRows.Keys(this)
        .With(nameof(ExpiresAt), ExpiresAt)
        .With(nameof(Failures), Failures)
        .With(nameof(SecurityStamp), SecurityStamp);
}
