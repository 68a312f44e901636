namespace FuncAuth.Core.Diagnostics;

/// <summary>How a login attempt ended, as counted by <see cref="AuthMetrics"/>.</summary>
internal enum LoginOutcome
{
    Ok,
    Failed,
    Disabled,
    Unverified,
    Locked,
    Busy,
    /// <summary>Right password; the second factor is asked for.</summary>
    MfaRequired,
}
