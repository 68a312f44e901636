using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>
/// The cleanup index. Table <c>SessionExpiry</c>; PartitionKey = the UTC hour ("yyyyMMddHH") from which the session
/// may be removable, RowKey = userId + "_" + sessionId. Cleanup reads only the hours that are due, so its cost follows
/// what comes due, not how many sessions exist.
/// </summary>
internal sealed class SessionExpiryEntity : ITableRow<SessionExpiryEntity>
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public static SessionExpiryEntity Read(TableEntity entity) =>
        new() { PartitionKey = entity.PartitionKey, RowKey = entity.RowKey, Timestamp = entity.Timestamp, ETag = entity.ETag };

    public TableEntity Write() => TableRows.Keys(this);

    public static string Bucket(DateTimeOffset dueAt) =>
        dueAt.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);

    public static string RowKeyFor(string userId, string sessionId) => userId + "_" + sessionId;

    [IgnoreDataMember]
    public (string UserId, string SessionId) Session
    {
        get
        {
            var separator = RowKey.IndexOf('_', StringComparison.Ordinal);
            return separator < 0 ? (RowKey, "") : (RowKey[..separator], RowKey[(separator + 1)..]);
        }
    }
}
