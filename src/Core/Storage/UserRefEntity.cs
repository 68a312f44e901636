using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Storage;

/// <summary>
/// The user's row beside their sessions. Table <c>UserSessions</c>; PartitionKey = user id, RowKey = "user".
/// It finds the account from the user id (<see cref="EmailKey"/>), and holds a copy of the profile (what <c>me</c> shows
/// and what refresh puts in the access token), so authentication reads session and profile in one partition query
/// instead of a second read of the account. <see cref="UserEntity"/> stays the source: every write of the account
/// is followed by a write of the copy (<see cref="UserStore"/>), conditional on the copy's ETag and only when the
/// account's <see cref="Revision"/> is newer, so racing writers never move the copy back. Rows written before the copy
/// existed hold only the email key (<see cref="HasProfile"/> false); the first reader fills them in from the account.
/// </summary>
internal sealed class UserRefEntity : ITableRow<UserRefEntity>
{
    public const string Row = "user";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EmailKey { get; set; } = "";

    public string Email { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>Comma-separated, canonical order, as in the account.</summary>
    public string Roles { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public bool EmailVerified { get; set; }
    public bool Disabled { get; set; }
    /// <summary>
    /// The account's <see cref="UserEntity.SecurityStamp"/>: a session or API key recorded under another stamp was
    /// proved before the credentials last changed, and is refused.
    /// </summary>
    public string SecurityStamp { get; set; } = "";
    /// <summary>The account's <see cref="UserEntity.TotpEnabled"/>: whether a recent proof must include the second factor.</summary>
    public bool TotpEnabled { get; set; }
    /// <summary>The <see cref="UserEntity.Revision"/> of the account this copy was made from.</summary>
    public long Revision { get; set; }

    /// <summary>
    /// False for a row stored before the profile (or its security stamp) was copied here: read the account instead.
    /// </summary>
    [IgnoreDataMember]
    public bool HasProfile => Email.Length > 0 && SecurityStamp.Length > 0;

    /// <summary>
    /// Whether a session or API key proved under <paramref name="provedUnder"/> still stands: the account is enabled and
    /// its stamp has not changed since. An empty stamp is a session or key stored before stamps were recorded: only
    /// <see cref="Disabled"/> applies to it (every credential change since also ended it, by the sweep that follows).
    /// </summary>
    public bool Admits(string provedUnder) =>
        !Disabled && (provedUnder.Length == 0 || CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(provedUnder), Encoding.UTF8.GetBytes(SecurityStamp)));

    /// <summary>The row for <paramref name="user"/>: its reference and a copy of its profile.</summary>
    public static UserRefEntity Of(UserEntity user) => new()
    {
        PartitionKey = user.UserId,
        EmailKey = user.PartitionKey,
        Email = user.Email,
        Name = user.Name,
        Roles = user.Roles,
        CreatedAt = user.CreatedAt,
        EmailVerified = user.EmailVerified,
        Disabled = user.Disabled,
        SecurityStamp = user.SecurityStamp,
        TotpEnabled = user.TotpEnabled,
        Revision = user.Revision,
    };

    public UserAccount ToAccount() =>
        new(PartitionKey, Email, Name, Roles.Split(',', StringSplitOptions.RemoveEmptyEntries), CreatedAt, EmailVerified, Disabled, MfaEnabled: TotpEnabled);

    public static UserRefEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        EmailKey = entity.GetString(nameof(EmailKey)) ?? "",
        Email = entity.GetString(nameof(Email)) ?? "",
        Name = entity.GetString(nameof(Name)),
        Roles = entity.GetString(nameof(Roles)) ?? "",
        CreatedAt = entity.GetDateTimeOffset(nameof(CreatedAt)) ?? default,
        EmailVerified = entity.GetBoolean(nameof(EmailVerified)) ?? false,
        Disabled = entity.GetBoolean(nameof(Disabled)) ?? false,
        SecurityStamp = entity.GetString(nameof(SecurityStamp)) ?? "",
        TotpEnabled = entity.GetBoolean(nameof(TotpEnabled)) ?? false,
        Revision = entity.GetInt64(nameof(Revision)) ?? 0,
    };

    public TableEntity Write()
    {
        var entity = TableRows.Keys(this).With(nameof(EmailKey), EmailKey);
        return HasProfile
            ? entity.With(nameof(Email), Email)
                .With(nameof(Name), Name)
                .With(nameof(Roles), Roles)
                .With(nameof(CreatedAt), CreatedAt)
                .With(nameof(EmailVerified), EmailVerified)
                .With(nameof(Disabled), Disabled)
                .With(nameof(SecurityStamp), SecurityStamp)
                .With(nameof(TotpEnabled), TotpEnabled)
                .With(nameof(Revision), Revision)
            : entity;
    }
}
