using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Abuse;

/// <summary>
/// One fixed-window counter: how many requests one key (an address, an account, both) made under one limit in one
/// window. PartitionKey <c>&lt;shard&gt;-&lt;window end, Unix seconds, 12 digits&gt;</c>; RowKey
/// <c>&lt;limit name&gt;-&lt;SHA-256 of the key&gt;</c>. The shard (64 of them, from the key's hash) spreads one window's
/// counters over many partitions, so no window and no hot key makes the table one hot range; the window end after it
/// lets cleanup find expired counters by key range, shard by shard, without scanning live ones.
/// </summary>
internal sealed class RateCounterEntity : ITableRow<RateCounterEntity>
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int Count { get; set; }

    public DateTimeOffset WindowEnd { get; set; }

    public static RateCounterEntity Read(TableEntity entity) => new()
    {
        PartitionKey = entity.PartitionKey,
        RowKey = entity.RowKey,
        Timestamp = entity.Timestamp,
        ETag = entity.ETag,
        Count = entity.GetInt32(nameof(Count)) ?? 0,
        WindowEnd = entity.GetDateTimeOffset(nameof(WindowEnd)) ?? default,
    };

    public TableEntity Write() => TableRows.Keys(this).With(nameof(Count), Count).With(nameof(WindowEnd), WindowEnd);
}
