using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Diagnostics;

/// <summary>
/// Events of credential changes taking effect (security stamps, revoked keys, sweeps). Ids 1300-1399. They
/// carry user, session and key ids, never an email, password, token or hash.
/// </summary>
internal static partial class CredentialLog
{
    [LoggerMessage(1300, LogLevel.Information, "Session {SessionId} of user {UserId} refused: the account is disabled or its credentials changed since the session was opened")]
    public static partial void SessionStale(ILogger logger, string userId, string sessionId);

    [LoggerMessage(1301, LogLevel.Information, "API key {KeyId} of user {UserId} refused: the account is disabled or its credentials changed since the key was created")]
    public static partial void ApiKeyStale(ILogger logger, string userId, string keyId);

    [LoggerMessage(1302, LogLevel.Information, "API keys of user {UserId} revoked by {Reason}: {Count}")]
    public static partial void ApiKeysRevoked(ILogger logger, string userId, string reason, int count);

    [LoggerMessage(1304, LogLevel.Warning, "A credential change was stored but its session sweep failed (status {Status}); the sessions are refused by the security stamp")]
    public static partial void SweepAfterWriteFailed(ILogger logger, int status);
}
