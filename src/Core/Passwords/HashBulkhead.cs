using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Passwords;

/// <summary>
/// Bounds the password hashing of this instance (README, "Abuse resistance"): at most <see cref="HashingOptions.MaxConcurrentHashes"/>
/// at once and a queue of about one second of the instance's hashing (docs/api.md); a request beyond that is refused at once instead of
/// waiting, so a login flood leaves CPU for refresh and me and no request waits long for its turn. Hashing itself
/// (~100 ms of CPU) runs on the low-priority <see cref="HashThreads"/> while a slot is held.
/// </summary>
public sealed class HashBulkhead : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public HashBulkhead(IOptions<HashingOptions> options)
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.MaxConcurrentHashes),
            QueueLimit = Math.Max(0, options.Value.QueueLimit),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>A hash slot, or null when the slots and the queue are full. Dispose the slot when the hashing is done.</summary>
    public async ValueTask<IDisposable?> TryEnterAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
