using System.Collections.Concurrent;

namespace FuncAuth.Core.Abuse;

/// <summary>
/// Counters this instance saw at their limit, for the limits whose counts are never given back or cleared (the
/// per-address and per-recipient ones): such a counter stays full until its window ends, so later requests in the
/// window are refused without a storage call. Failure limits are not remembered here, because a password reset on
/// another instance may clear them.
/// </summary>
internal sealed class FullCounters
{
    private const int SweepAbove = 10_000;
    private readonly ConcurrentDictionary<(RateLimitName, string), DateTimeOffset> _full = new();

    public static bool Applies(RateLimitName name) =>
        name is RateLimitName.TokenRequestsPerAddress or RateLimitName.EmailRequestsPerAddress or RateLimitName.EmailsPerRecipient or RateLimitName.SecurityEmailsPerAccount;

    public bool IsFull(RateLimitName name, string key, DateTimeOffset windowEnd) =>
        _full.TryGetValue((name, key), out var end) && end == windowEnd;

    public void Remember(RateLimitName name, string key, DateTimeOffset windowEnd, DateTimeOffset now)
    {
        if (!Applies(name))
        {
            return;
        }

        if (_full.Count > SweepAbove)
        {
            foreach (var entry in _full.Where(e => e.Value <= now))
            {
                _full.TryRemove(entry);
            }
        }

        _full[(name, key)] = windowEnd;
    }
}
