using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Mfa;

/// <summary>Second-factor events (ids 1510–1549). User ids only: never a secret, a code or a token.</summary>
internal static partial class MfaLog
{
    [LoggerMessage(1510, LogLevel.Information, "User {UserId} turned TOTP on")]
    public static partial void TotpEnabled(ILogger logger, string userId);

    [LoggerMessage(1511, LogLevel.Information, "User {UserId} turned TOTP off")]
    public static partial void TotpDisabled(ILogger logger, string userId);

    [LoggerMessage(1512, LogLevel.Information, "User {UserId} replaced their recovery codes")]
    public static partial void RecoveryCodesRegenerated(ILogger logger, string userId);

    [LoggerMessage(1513, LogLevel.Warning, "Admin {AdminId} reset the second factors of user {UserId}; {Ended} session(s) ended")]
    public static partial void MfaReset(ILogger logger, string adminId, string userId, int ended);

    [LoggerMessage(1514, LogLevel.Information, "User {UserId} used a recovery code; {Left} left")]
    public static partial void RecoveryCodeUsed(ILogger logger, string userId, int left);

    [LoggerMessage(1515, LogLevel.Information, "User {UserId} gave the right password; a second factor is required")]
    public static partial void MfaRequired(ILogger logger, string userId);

    [LoggerMessage(1516, LogLevel.Warning, "A wrong second-factor code for user {UserId} ({Failures} on this sign-in)")]
    public static partial void MfaFailed(ILogger logger, string userId, int failures);

    [LoggerMessage(1517, LogLevel.Information, "User {UserId} completed a two-step sign-in (session {SessionId}, {Method})")]
    public static partial void MfaSucceeded(ILogger logger, string userId, string sessionId, string method);

    [LoggerMessage(1518, LogLevel.Debug, "A sign-in challenge of user {UserId} changed while a wrong code was counted")]
    public static partial void ChallengeRace(ILogger logger, string userId);

    [LoggerMessage(1519, LogLevel.Warning, "A second-factor notice could not be queued (status {Status})")]
    public static partial void NoticeNotQueued(ILogger logger, int status);
}
