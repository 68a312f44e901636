using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Passkeys;

/// <summary>Passkey events (1550–1599): user and passkey ids, never a credential, challenge, signature or key.</summary>
internal static partial class PasskeyLog
{
    [LoggerMessage(1550, LogLevel.Information, "User {UserId} added passkey {PasskeyId}")]
    public static partial void Added(ILogger logger, string userId, string passkeyId);

    [LoggerMessage(1551, LogLevel.Information, "User {UserId} used passkey {PasskeyId}")]
    public static partial void Used(ILogger logger, string userId, string passkeyId);

    [LoggerMessage(1552, LogLevel.Information, "User {UserId} deleted passkey {PasskeyId}")]
    public static partial void Deleted(ILogger logger, string userId, string passkeyId);

    [LoggerMessage(1553, LogLevel.Information, "Removed all {Count} passkeys of user {UserId}")]
    public static partial void RemovedAll(ILogger logger, string userId, int count);

    [LoggerMessage(1554, LogLevel.Information, "Refused a passkey {Step}: {Reason}")]
    public static partial void Refused(ILogger logger, string step, string reason);

    [LoggerMessage(1556, LogLevel.Information, "User {UserId} signed in with passkey {PasskeyId}: session {SessionId}")]
    public static partial void SignedIn(ILogger logger, string userId, string sessionId, string passkeyId);

    [LoggerMessage(1555, LogLevel.Warning, "The passkey-added notice could not be queued ({ExceptionType})")]
    public static partial void NoticeNotQueued(ILogger logger, string exceptionType);
}
