using System.Globalization;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Audit;

/// <summary>
/// One event of a user's trail. Table <c>AuditEvents</c>; PartitionKey = the user id, RowKey = the time inverted (ticks
/// subtracted from the maximum, 19 digits) + "_" + the event id, so a partition query returns the trail newest first and
/// a cursor is the last RowKey read. The same event stored twice (a retry) has the same keys: stored once.
/// </summary>
internal sealed class AuditEventEntity : ITableRow<AuditEventEntity>
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Type { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string? SessionId { get; set; }
    public string? ClientAddress { get; set; }
    public string? ClientAddressClass { get; set; }
    public string? UserAgent { get; set; }
    /// <summary>The details as a JSON object of strings.</summary>
    public string? Details { get; set; }

    public string EventId => RowKey[(RowKey.IndexOf('_', StringComparison.Ordinal) + 1)..];

    public static string RowKeyFor(DateTimeOffset at, string eventId) => TimeKey(at) + "_" + eventId;

    /// <summary>The inverted time: later times sort first.</summary>
    public static string TimeKey(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    public static AuditEventEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        Type = entity.GetString(nameof(Type)) ?? "",
        At = entity.GetDateTimeOffset(nameof(At)) ?? default,
        Actor = entity.GetString(nameof(Actor)) ?? "",
        SessionId = entity.GetString(nameof(SessionId)),
        ClientAddress = entity.GetString(nameof(ClientAddress)),
        ClientAddressClass = entity.GetString(nameof(ClientAddressClass)),
        UserAgent = entity.GetString(nameof(UserAgent)),
        Details = entity.GetString(nameof(Details)),
    };

    public TableEntity Write() => TableRows.Keys(this)
        .With(nameof(Type), Type)
        .With(nameof(At), At)
        .With(nameof(Actor), Actor)
        .With(nameof(SessionId), SessionId)
        .With(nameof(ClientAddress), ClientAddress)
        .With(nameof(ClientAddressClass), ClientAddressClass)
        .With(nameof(UserAgent), UserAgent)
        .With(nameof(Details), Details);
}
