namespace FuncAuth.Core.Storage;

/// <summary>
/// How often an operation that lost an optimistic-concurrency race (an ETag that no longer matched, a row removed
/// between a query and a batch) reads again and retries before it gives up with a 503.
/// </summary>
internal static class LostRaceRetry
{
    public const int MaxAttempts = 5;
}
