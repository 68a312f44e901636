using FuncAuth.Core.Sessions;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Diagnostics;

/// <summary>
/// Auth events with stable ids. They carry user and session ids, never an email, password, token or hash.
/// </summary>
internal static partial class AuthLog
{
    [LoggerMessage(1001, LogLevel.Information, "User {UserId} signed up (session {SessionId}, roles {Roles})")]
    public static partial void SignedUp(ILogger logger, string userId, string sessionId, string roles);

    [LoggerMessage(1002, LogLevel.Information, "Signup refused: email already registered")]
    public static partial void SignupRejectedEmailTaken(ILogger logger);

    [LoggerMessage(1003, LogLevel.Warning, "Could not undo a refused or failed signup (status {Status}); the leftovers are unreachable")]
    public static partial void SignupUndoFailed(ILogger logger, int status);

    [LoggerMessage(1010, LogLevel.Information, "User {UserId} logged in (session {SessionId})")]
    public static partial void LoggedIn(ILogger logger, string userId, string sessionId);

    [LoggerMessage(1011, LogLevel.Warning, "Login failed (user {UserId})")]
    public static partial void LoginFailed(ILogger logger, string? userId);

    [LoggerMessage(1020, LogLevel.Information, "User {UserId} refreshed session {SessionId} (rotation {Counter})")]
    public static partial void Refreshed(ILogger logger, string userId, string sessionId, long counter);

    [LoggerMessage(1021, LogLevel.Information, "User {UserId} presented the previous refresh token of session {SessionId} within the reuse interval; answered with the current one")]
    public static partial void RefreshGraceAnswered(ILogger logger, string userId, string sessionId);

    [LoggerMessage(1022, LogLevel.Warning, "Refresh token reuse detected for user {UserId}: session {SessionId} revoked (token {Behind} rotations old)")]
    public static partial void RefreshTokenReused(ILogger logger, string userId, string sessionId, long behind);

    [LoggerMessage(1030, LogLevel.Information, "User {UserId} logged out from session {SessionId} with scope {Scope}; {Ended} session(s) ended")]
    public static partial void LoggedOut(ILogger logger, string userId, string sessionId, LogoutScope scope, int ended);

    [LoggerMessage(1031, LogLevel.Warning, "Admin {AdminId} forced logout of user {UserId}; {Ended} session(s) ended")]
    public static partial void ForcedLogout(ILogger logger, string adminId, string userId, int ended);

    [LoggerMessage(1040, LogLevel.Warning, "Admin {AdminId} set roles of user {UserId} to {Roles}; access tokens of {Sessions} session(s) revoked")]
    public static partial void RolesChanged(ILogger logger, string adminId, string userId, string roles, int sessions);

    [LoggerMessage(1050, LogLevel.Information, "Cleanup removed {Removed} expired or revoked session(s), refiled {Refiled}, visited {Visited} index entries")]
    public static partial void CleanupFinished(ILogger logger, int removed, int refiled, int visited);

    [LoggerMessage(1060, LogLevel.Information, "Loaded {Count} signing key version(s); signing with {KeyId}")]
    public static partial void SigningKeysLoaded(ILogger logger, int count, string keyId);

    [LoggerMessage(1061, LogLevel.Error, "Signing keys could not be loaded ({Error}); keeping the previous set: {KeptPrevious}")]
    public static partial void SigningKeysUnavailable(ILogger logger, string error, bool keptPrevious);

    [LoggerMessage(1062, LogLevel.Warning, "Signing key version {Version} ignored: its value is not a PKCS#8 PEM of a P-256 private key")]
    public static partial void SigningKeyVersionIgnored(ILogger logger, string version);

    [LoggerMessage(1400, LogLevel.Information, "User {UserId} is at the cap of {Cap} sessions: login ended {Ended} least recently used session(s)")]
    public static partial void SessionCapReached(ILogger logger, string userId, int cap, int ended);

    [LoggerMessage(1401, LogLevel.Warning, "User {UserId} is over the cap on sessions, but the oldest could not be ended ({Error}); the next login tries again")]
    public static partial void SessionCapNotEnforced(ILogger logger, string userId, string error);
}
