namespace FuncAuth.Core.Abuse;

/// <summary>The rows of one account's failure counters in the current windows (see <see cref="RateLimitStore.LoginFailureKeys"/>).</summary>
internal sealed record LoginFailureRows(string PartitionKey, string AccountRow, string? PairRow, string PairPrefix);
