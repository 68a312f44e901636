using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Passwords;

/// <summary>Log events of the breached-password check. Never the password, its hash or the hash's prefix.</summary>
internal static partial class PasswordLog
{
    [LoggerMessage(1410, LogLevel.Warning, "The breached-password check could not be made ({Error}); the password was accepted unchecked")]
    public static partial void BreachCheckUnavailable(ILogger logger, string error);

    [LoggerMessage(1411, LogLevel.Information, "A new password was refused: it appears in a data breach")]
    public static partial void BreachedPasswordRefused(ILogger logger);

    [LoggerMessage(2400, LogLevel.Warning, "Password hashes run at normal priority ({Reason}): during a login flood they compete with other requests for CPU")]
    public static partial void HashThreadsAtNormalPriority(ILogger logger, string reason);
}
