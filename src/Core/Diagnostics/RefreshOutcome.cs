namespace FuncAuth.Core.Diagnostics;

/// <summary>How a refresh-token presentation ended, as counted by <see cref="AuthMetrics"/>.</summary>
internal enum RefreshOutcome
{
    Rotated,
    Grace,
    Reused,
    Invalid,
    Expired,
}
