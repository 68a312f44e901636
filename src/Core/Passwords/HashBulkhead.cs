using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Passwords;

/// <summary>How much password hashing one instance does at once (configuration section <c>Auth</c>).</summary>
public sealed class HashingOptions
{
    /// <summary>Hashes computed at once; the default is the number of cores, so hashing can never take all of them twice over.</summary>
    public int MaxConcurrentHashes { get; set; } = Environment.ProcessorCount;

    /// <summary>Requests that may wait for a hash slot; beyond them the answer is 503. Null: twice <see cref="MaxConcurrentHashes"/>.</summary>
    public int? MaxQueuedHashes { get; set; }

    public int QueueLimit => MaxQueuedHashes ?? 2 * MaxConcurrentHashes;
}

/// <summary>
/// Bounds the password hashing of this instance (API-v2 §4): at most <see cref="HashingOptions.MaxConcurrentHashes"/>
/// at once and a short queue; a request beyond that is refused at once instead of waiting, so a login flood leaves CPU
/// for refresh and me. Hashing itself (~100 ms of CPU) runs on the thread pool while a slot is held.
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
