using System.Globalization;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Audit;

/// <summary>
/// The retention index, in the same table: PartitionKey = "~" + the UTC day ("yyyyMMdd") an event was stored, RowKey =
/// the user id. "~" sorts after every user id (32 hex digits), so cleanup reads the due days with one range query and
/// visits only the users who have events old enough to go.
/// </summary>
internal sealed class AuditIndexEntity : ITableRow<AuditIndexEntity>
{
    public const string Prefix = "~";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public static string Day(DateTimeOffset at) => Prefix + at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static AuditIndexEntity Read(TableEntity entity) =>
        new() { PartitionKey = entity.PartitionKey, RowKey = entity.RowKey, Timestamp = entity.Timestamp, ETag = entity.ETag };

    public TableEntity Write() => TableRows.Keys(this);
}
