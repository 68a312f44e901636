using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>
/// Finds a user's account from the user id. Table <c>UserSessions</c>; PartitionKey = user id, RowKey = "user".
/// It shares the partition with the user's sessions so sign-up writes both in one transaction.
/// </summary>
internal sealed class UserRefEntity : ITableRow<UserRefEntity>
{
    public const string Row = "user";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EmailKey { get; set; } = "";

    public static UserRefEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        EmailKey = entity.GetString(nameof(EmailKey)) ?? "",
    };

    public TableEntity Write() => TableRows.Keys(this).With(nameof(EmailKey), EmailKey);
}
