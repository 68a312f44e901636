using FuncAuth.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.ApiKeys;

/// <summary>
/// Removes expired API keys. It reads only the index hours that are due, so its cost follows the keys that expire, not
/// the keys stored. A key's expiry never moves, so a due entry's key is removed without reading it first.
/// </summary>
public sealed class ApiKeyCleanup
{
    private readonly ApiKeyStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<ApiKeyCleanup> _logger;

    public ApiKeyCleanup(ApiKeyStore store, TimeProvider time, ILogger<ApiKeyCleanup> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>Processes at most <paramref name="maxEntries"/> due entries; returns how many keys were removed.</summary>
    public async Task<int> RunAsync(int maxEntries, CancellationToken cancellationToken)
    {
        var due = await _store.DueIndexEntriesAsync(_time.GetUtcNow(), maxEntries, cancellationToken);
        var removed = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            if (ApiKeyFormat.IsValidId(entry.RowKey) && await _store.DeleteAsync(entry.RowKey, ct))
            {
                Interlocked.Increment(ref removed);
            }

            await _store.DeleteIndexEntryAsync(entry, ct);
        });

        ApiKeyLog.CleanupFinished(_logger, removed, due.Count);
        return removed;
    }
}
