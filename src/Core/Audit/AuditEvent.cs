namespace FuncAuth.Core.Audit;

/// <summary>
/// One security event (docs/api.md, "Audit trail"). <see cref="Details"/> is a small map of plain facts (a scope, a key
/// id, a reason class): never a password, code, token, key or hash.
/// </summary>
public sealed record AuditEvent(
    string Id, AuditEventType Type, DateTimeOffset At, string Actor, string UserId, string? SessionId,
    string? ClientAddress, string? ClientAddressClass, string? UserAgent, IReadOnlyDictionary<string, string> Details);
