namespace FuncAuth.Core.Audit;

/// <summary>One page of a trail, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, string? NextCursor);
