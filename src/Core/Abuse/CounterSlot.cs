namespace FuncAuth.Core.Abuse;

/// <summary>One counter to count: where it lives, its limit and the end of its window.</summary>
internal readonly record struct CounterSlot(string PartitionKey, string RowKey, int Limit, DateTimeOffset WindowEnd);
