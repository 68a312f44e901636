using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>
/// Finds a user's account from the user id. Table <c>UserSessions</c>; PartitionKey = user id, RowKey = "user".
/// It shares the partition with the user's sessions so sign-up writes both in one transaction.
/// </summary>
internal sealed class UserRefEntity : ITableEntity
{
    public const string Row = "user";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EmailKey { get; set; } = "";
}
