namespace FuncAuth.Core.Audit;

/// <summary>The one call an operation makes: records its event when the trail is registered (always, outside unit tests).</summary>
public static class AuditRecording
{
    /// <summary>Records a new event of the current request (see <see cref="AuditTrail.Event"/>) before the change it records.</summary>
    public static Task RecordAsync(
        this AuditTrail? trail, AuditEventType type, string userId, CancellationToken cancellationToken,
        string? actor = null, string? sessionId = null, IReadOnlyDictionary<string, string>? details = null) =>
        trail is null ? Task.CompletedTask : trail.StoreAsync(trail.Event(type, userId, actor, sessionId, details), cancellationToken);

    /// <summary>Records an event made once by <see cref="AuditTrail.Event"/>, for an operation that retries: stored once.</summary>
    public static Task RecordAsync(this AuditTrail? trail, AuditEvent? e, CancellationToken cancellationToken) =>
        trail is null || e is null ? Task.CompletedTask : trail.StoreAsync(e, cancellationToken);
}
