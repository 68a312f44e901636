using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Accounts.Lifecycle;

/// <summary>Account lifecycle events: user and session ids only, never an address, password, token or link.</summary>
internal static partial class LifecycleLog
{
    [LoggerMessage(1100, LogLevel.Information, "User {UserId} signed up; address not verified yet")]
    public static partial void SignedUpUnverified(ILogger logger, string userId);

    [LoggerMessage(1101, LogLevel.Information, "User {UserId} verified their email address")]
    public static partial void EmailVerified(ILogger logger, string userId);

    [LoggerMessage(1102, LogLevel.Warning, "User {UserId} reset their password; {Ended} session(s) ended; roles {Roles}")]
    public static partial void PasswordReset(ILogger logger, string userId, int ended, string roles);

    [LoggerMessage(1103, LogLevel.Information, "User {UserId} changed their password; {Ended} other session(s) ended")]
    public static partial void PasswordChanged(ILogger logger, string userId, int ended);

    [LoggerMessage(1104, LogLevel.Warning, "User {UserId} gave a wrong current password")]
    public static partial void PasswordIncorrect(ILogger logger, string userId);

    [LoggerMessage(1105, LogLevel.Information, "User {UserId} ended session {SessionId}")]
    public static partial void SessionEnded(ILogger logger, string userId, string sessionId);

    [LoggerMessage(1106, LogLevel.Warning, "User {UserId} deleted their account")]
    public static partial void AccountDeleted(ILogger logger, string userId);

    [LoggerMessage(1107, LogLevel.Warning, "An email could not be queued ({ExceptionType}); the user can ask for it again")]
    public static partial void EnqueueFailed(ILogger logger, string exceptionType);

    [LoggerMessage(1110, LogLevel.Warning, "Admin {AdminId} disabled user {UserId}; {Ended} session(s) ended")]
    public static partial void Disabled(ILogger logger, string adminId, string userId, int ended);

    [LoggerMessage(1111, LogLevel.Warning, "Admin {AdminId} enabled user {UserId}")]
    public static partial void Enabled(ILogger logger, string adminId, string userId);
}
