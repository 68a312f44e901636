using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Passwords;

/// <summary>How much password hashing one instance does at once (configuration section <c>Auth</c>).</summary>
public sealed class HashingOptions
{
    /// <summary>
    /// Hashes computed at once. The default is one fewer than the number of cores (at least one), so a login flood always
    /// leaves one core to refresh, me and the other requests that never hash: on two cores, with both hashing (even at
    /// low priority), their p99 rose to about four times its idle value during a flood; with one, to about twice
    /// (README, "Hashes at low priority").
    /// </summary>
    public int MaxConcurrentHashes { get; set; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>
    /// Hashes one slot completes per second: one PBKDF2-HMAC-SHA512 at 210,000 iterations takes about 100 ms of a core.
    /// With it, the default queue holds about one second of hashing (docs/api.md).
    /// </summary>
    public int HashesPerSecondPerSlot { get; set; } = 10;

    /// <summary>
    /// Requests that may wait for a hash slot; beyond them the answer is 503. Null: one second of hashing on every core
    /// of the instance, the larger of <see cref="MaxConcurrentHashes"/> and the number of cores × <see cref="HashesPerSecondPerSlot"/>
    /// (20 on two cores, so the 16 concurrent requests Flex Consumption sends an instance by default all wait their
    /// turn; with the default one slot there, the last of 20 waits about two seconds).
    /// </summary>
    public int? MaxQueuedHashes { get; set; }

    public int QueueLimit => MaxQueuedHashes ?? Math.Max(MaxConcurrentHashes, Environment.ProcessorCount) * HashesPerSecondPerSlot;
}

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
