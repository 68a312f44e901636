using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Abuse;

/// <summary>Whether a request may pass a limit; when not, how long until the window ends.</summary>
public sealed record RateLimitDecision(bool Allowed, TimeSpan RetryAfter, RateLimitLease? Lease)
{
    /// <summary>Retry-After in whole seconds, at least one.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>
/// The limits of README's "Abuse resistance", counted in fixed windows aligned to the Unix epoch and kept in Table Storage, so they hold
/// across instances. A refused request is not counted.
/// </summary>
public sealed class AbuseLimits
{
    private static readonly RateLimitDecision Unlimited = new(true, TimeSpan.Zero, null);

    private readonly RateLimitStore _store;
    private readonly IOptions<RateLimitOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AbuseLimits> _logger;
    private readonly FullCounters _full = new();

    public AbuseLimits(RateLimitStore store, IOptions<RateLimitOptions> options, TimeProvider time, ILogger<AbuseLimits> logger, Diagnostics.AuthMetrics metrics)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        Metrics = metrics;
    }

    public bool Enabled => _options.Value.Enabled;

    private Diagnostics.AuthMetrics Metrics { get; }

    /// <summary>Counts one request of <paramref name="key"/> under the limit, unless the limit is reached.</summary>
    public async Task<RateLimitDecision> TryAcquireAsync(RateLimitName name, string key, CancellationToken cancellationToken)
    {
        var decision = await DecideAsync(name, key, cancellationToken);
        if (!decision.Allowed)
        {
            Metrics.RateLimited(name);
        }

        return decision;
    }

    private async Task<RateLimitDecision> DecideAsync(RateLimitName name, string key, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return Unlimited;
        }

        var rule = _options.Value.Rule(name);
        var now = _time.GetUtcNow();
        var windowEnd = WindowEnd(rule, now);
        if (_full.IsFull(name, key, windowEnd))
        {
            // Not logged: the refusal that found the limit full was logged once.
            return new(false, windowEnd - now, null);
        }

        var lease = await _store.TryIncrementAsync(name, key, rule.Limit, windowEnd, cancellationToken);
        if (lease is null)
        {
            _full.Remember(name, key, windowEnd, now);
            AbuseLog.RateLimited(_logger, name);
            return new(false, windowEnd - now, null);
        }

        return new(true, TimeSpan.Zero, lease);
    }

    /// <summary>Gives back the count a decision took (a request that turned out not to count).</summary>
    public Task ReleaseAsync(RateLimitDecision decision, CancellationToken cancellationToken) =>
        decision.Lease is { } lease ? _store.ReleaseAsync(lease, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Counts one failed password check of <paramref name="account"/> (and of the account at <paramref name="clientAddress"/>,
    /// when known) under both failure limits, unless one is reached: both counters share a partition and are written in
    /// one transaction, so both are counted or neither, in one call. When both are reached, the Retry-After is the
    /// per-account-and-address limit's.
    /// </summary>
    public async Task<RateLimitDecision> TryAcquireLoginFailureAsync(string account, string? clientAddress, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return Unlimited;
        }

        var options = _options.Value;
        var now = _time.GetUtcNow();
        var pairEnd = WindowEnd(options.LoginFailuresPerAccountAndAddress, now);
        var accountEnd = WindowEnd(options.LoginFailuresPerAccount, now);
        var rows = RateLimitStore.LoginFailureKeys(account, clientAddress, accountEnd, pairEnd);
        CounterSlot accountSlot = new(rows.PartitionKey, rows.AccountRow, options.LoginFailuresPerAccount.Limit, accountEnd);
        CounterSlot[] slots = rows.PairRow is null
            ? [accountSlot]
            : [new(rows.PartitionKey, rows.PairRow, options.LoginFailuresPerAccountAndAddress.Limit, pairEnd), accountSlot];
        var (lease, full) = await _store.TryIncrementAllAsync(slots, cancellationToken);
        if (lease is null)
        {
            var name = slots[full].RowKey == rows.AccountRow ? RateLimitName.LoginFailuresPerAccount : RateLimitName.LoginFailuresPerAccountAndAddress;
            AbuseLog.RateLimited(_logger, name);
            Metrics.RateLimited(name);
            return new(false, slots[full].WindowEnd - now, null);
        }

        return new(true, TimeSpan.Zero, lease);
    }

    /// <summary>
    /// Forgets the failed password checks of <paramref name="account"/> in the current windows: the per-account counter
    /// and every address's (one partition: one query, one batch). Returns how many addresses had a counter.
    /// </summary>
    public Task<int> ClearLoginFailuresAsync(string account, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return Task.FromResult(0);
        }

        var options = _options.Value;
        var now = _time.GetUtcNow();
        var rows = RateLimitStore.LoginFailureKeys(
            account, null, WindowEnd(options.LoginFailuresPerAccount, now), WindowEnd(options.LoginFailuresPerAccountAndAddress, now));
        return _store.ClearLoginFailuresAsync(rows, cancellationToken);
    }

    /// <summary>Removes the counters of windows that have ended (the cleanup timer calls this).</summary>
    public Task<int> RemoveExpiredAsync(int max, CancellationToken cancellationToken) =>
        _store.RemoveExpiredAsync(_time.GetUtcNow(), max, cancellationToken);

    internal static DateTimeOffset WindowEnd(RateLimitRule rule, DateTimeOffset now)
    {
        var seconds = (long)rule.Window.TotalSeconds;
        var index = now.ToUnixTimeSeconds() / seconds;
        return DateTimeOffset.FromUnixTimeSeconds((index + 1) * seconds);
    }
}
