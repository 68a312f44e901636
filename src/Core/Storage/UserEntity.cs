using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>
/// A user's account. Table <c>Users</c>; PartitionKey = <see cref="Accounts.EmailAddress.StorageKey"/> of the
/// normalised email, RowKey = "". Keyed by email so that inserting it is the arbiter of email uniqueness and login is
/// one point read.
/// </summary>
internal sealed class UserEntity : ITableRow<UserEntity>
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
    /// <summary>True once <c>Auth__AdminEmails</c> has granted (or found) admin on this account: it grants it only once.</summary>
    public bool AdminEmailGranted { get; set; }
    /// <summary>True while a confirmed TOTP second factor is on (the account's own columns for it come with TOTP enrolment).</summary>
    public bool TotpEnabled { get; set; }
    /// <summary>Counts the writes of the account, so the profile copy beside the sessions is only ever moved forward.</summary>
    public long Revision { get; set; }

    public static UserEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        UserId = entity.GetString(nameof(UserId)) ?? "",
        Email = entity.GetString(nameof(Email)) ?? "",
        Name = entity.GetString(nameof(Name)),
        Roles = entity.GetString(nameof(Roles)) ?? "",
        PasswordHash = entity.GetString(nameof(PasswordHash)) ?? "",
        CreatedAt = entity.GetDateTimeOffset(nameof(CreatedAt)) ?? default,
        EmailVerified = entity.GetBoolean(nameof(EmailVerified)) ?? false,
        Disabled = entity.GetBoolean(nameof(Disabled)) ?? false,
        SecurityStamp = entity.GetString(nameof(SecurityStamp)) ?? "",
        AdminEmailGranted = entity.GetBoolean(nameof(AdminEmailGranted)) ?? false,
        TotpEnabled = entity.GetBoolean(nameof(TotpEnabled)) ?? false,
        Revision = entity.GetInt64(nameof(Revision)) ?? 0,
    };

    public TableEntity Write() => TableRows.Keys(this)
        .With(nameof(UserId), UserId)
        .With(nameof(Email), Email)
        .With(nameof(Name), Name)
        .With(nameof(Roles), Roles)
        .With(nameof(PasswordHash), PasswordHash)
        .With(nameof(CreatedAt), CreatedAt)
        .With(nameof(EmailVerified), EmailVerified)
        .With(nameof(Disabled), Disabled)
        .With(nameof(SecurityStamp), SecurityStamp)
        .With(nameof(AdminEmailGranted), AdminEmailGranted)
        .With(nameof(TotpEnabled), TotpEnabled)
        .With(nameof(Revision), Revision);
}
