namespace FuncAuth.Core.Cleanup;

/// <summary>What one cleanup run did.</summary>
public sealed record CleanupReport(int Removed, int Refiled, int Visited);
