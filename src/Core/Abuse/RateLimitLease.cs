namespace FuncAuth.Core.Abuse;

/// <summary>The counts taken from one or more limits, which <see cref="AbuseLimits.ReleaseAsync"/> can give back.</summary>
public sealed class RateLimitLease
{
    internal RateLimitLease(IReadOnlyList<RateCounterEntity> counters) => Counters = counters;

    internal IReadOnlyList<RateCounterEntity> Counters { get; }
}
