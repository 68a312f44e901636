using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Abuse;

internal static partial class AbuseLog
{
    [LoggerMessage(1150, LogLevel.Information, "Request refused by the rate limit {Limit}")]
    public static partial void RateLimited(ILogger logger, RateLimitName limit);

    [LoggerMessage(1151, LogLevel.Warning, "Password hashing is at capacity; request refused with 503")]
    public static partial void HashingBusy(ILogger logger);

    [LoggerMessage(1152, LogLevel.Information, "Login failure counters of an account cleared: the per-account one and {Count} per-address counters")]
    public static partial void LoginFailuresCleared(ILogger logger, int count);
}
