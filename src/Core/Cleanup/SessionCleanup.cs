using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Cleanup;

/// <summary>
/// Removes sessions whose refresh token expired, or that were revoked longer ago than the retention period. It reads
/// only the index hours that are due, so its cost follows the sessions that come due, not the sessions stored. A
/// session renewed since it was filed is filed again under its new expiry (once per refresh-token lifetime at most).
/// </summary>
public sealed class SessionCleanup
{
    private readonly SessionStore _sessions;
    private readonly IOptions<AuthOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionCleanup> _logger;

    public SessionCleanup(SessionStore sessions, IOptions<AuthOptions> options, TimeProvider time, ILogger<SessionCleanup> logger)
    {
        _sessions = sessions;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Processes at most <paramref name="maxEntries"/> due index entries; the rest wait for the next run.</summary>
    public async Task<CleanupReport> RunAsync(int maxEntries, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var due = await _sessions.DueIndexEntriesAsync(now, maxEntries, cancellationToken);
        var removed = 0;
        var refiled = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            var (userId, sessionId) = entry.Session;
            var session = await _sessions.GetAsync(userId, sessionId, ct);
            if (session is not null)
            {
                var dueAt = DueAt(session);
                if (dueAt > now)
                {
                    // Renewed since it was filed; its new hour is always later than this due one.
                    await _sessions.IndexAsync(userId, sessionId, dueAt, ct);
                    await _sessions.RecordIndexedDueAtAsync(userId, sessionId, dueAt, ct);
                    Interlocked.Increment(ref refiled);
                }
                else if (await _sessions.TryDeleteAsync(session, ct))
                {
                    Interlocked.Increment(ref removed);
                }
                else
                {
                    // Changed while we looked (a refresh renewed it): keep the entry, the next run decides again.
                    return;
                }
            }

            await _sessions.DeleteIndexEntryAsync(entry, ct);
        });

        AuthLog.CleanupFinished(_logger, removed, refiled, due.Count);
        return new(removed, refiled, due.Count);
    }

    private DateTimeOffset DueAt(SessionEntity session) =>
        session.Revoked && session.RevokedAt is { } revokedAt && revokedAt + _options.Value.RevokedSessionRetention < session.ExpiresAt
            ? revokedAt + _options.Value.RevokedSessionRetention
            : session.ExpiresAt;
}
