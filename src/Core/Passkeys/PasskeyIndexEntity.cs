using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Passkeys;

/// <summary>
/// The credential-id index: which user a credential belongs to, so a passkey sign-in (which names only the credential)
/// finds its row with point reads. Table <c>UserSessions</c>; PartitionKey = "passkeys" (never a user id: those are 32
/// hex digits), RowKey = the passkey id. The insert is also the arbiter of WebAuthn's rule that a credential id is
/// registered to one user only.
/// </summary>
internal sealed class PasskeyIndexEntity : ITableRow<PasskeyIndexEntity>
{
    public const string Partition = "passkeys";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UserId { get; set; } = "";

    public static PasskeyIndexEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        UserId = entity.GetString(nameof(UserId)) ?? "",
    };

    public TableEntity Write() => TableRows.Keys(this).With(nameof(UserId), UserId);
}
