using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Diagnostics;

/// <summary>Step-up and second-factor events (ids 1500–1549). They carry user and session ids, never a password or code.</summary>
internal static partial class StepUpLog
{
    [LoggerMessage(1500, LogLevel.Information, "User {UserId} re-authenticated in session {SessionId} (amr {Methods})")]
    public static partial void Reauthenticated(ILogger logger, string userId, string sessionId, string methods);

    [LoggerMessage(1501, LogLevel.Warning, "Re-authentication failed for user {UserId} in session {SessionId} ({Kind})")]
    public static partial void ReauthenticationFailed(ILogger logger, string userId, string sessionId, string kind);

    [LoggerMessage(1502, LogLevel.Information, "User {UserId} was asked to re-authenticate in session {SessionId} (second factor required: {SecondFactor})")]
    public static partial void ReauthenticationRequired(ILogger logger, string userId, string sessionId, bool secondFactor);
}
