using Azure.Core;

namespace FuncAuth.Core.Options;

/// <summary>
/// The time budget of every call to a dependency, derived from the request deadline D (<c>Storage__RequestDeadline</c>,
/// default 2 s). The budgets and why:
/// <list type="bullet">
/// <item>Per try: 0.4 × D (0.8 s). A Table Storage point read or write answers in milliseconds and Key Vault in tens of
/// milliseconds; a try that has not answered after 0.8 s is stuck (a hung or paused server, a dead connection), and the
/// retry goes out on a fresh connection.</item>
/// <item>Retries: one, after 0.05 × D (0.1 s). One call with its retry costs at most 2 × 0.4 D + 0.05 D = 0.85 D, so a
/// single call can fail and be retried once and still leave time to answer.</item>
/// <item>The request as a whole: D, enforced by a cancellation token linked to the request (the HTTP edge's
/// <c>RequestDeadline</c> middleware). A request makes up to three calls one after another; whatever is still waiting
/// when D is spent is cancelled and the answer is 503 with Retry-After.</item>
/// </list>
/// Work that is not a user-facing request (the cleanup timer, start-up warm-up, the periodic key reload) uses the same
/// per-try timeout and retry but no overall deadline; it retries on its own schedule.
/// </summary>
public static class DependencyBudget
{
    /// <summary>Default deadline of a user-facing request: an SPA shows a retry instead of a spinner after this.</summary>
    public static readonly TimeSpan DefaultRequestDeadline = TimeSpan.FromSeconds(2);

    /// <summary>Retries after the first try of one call.</summary>
    public const int MaxRetries = 1;

    public static TimeSpan TryTimeout(TimeSpan requestDeadline) => requestDeadline * 0.4;

    public static TimeSpan RetryDelay(TimeSpan requestDeadline) => requestDeadline * 0.05;

    /// <summary>Sets per-try timeout and retries on any Azure SDK client's options (tables, queues, Key Vault).</summary>
    public static T Apply<T>(T options, TimeSpan requestDeadline)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Delay = RetryDelay(requestDeadline);
        options.Retry.MaxDelay = RetryDelay(requestDeadline);
        options.Retry.NetworkTimeout = TryTimeout(requestDeadline);
        return options;
    }
}
