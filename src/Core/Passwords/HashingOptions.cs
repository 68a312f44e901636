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
