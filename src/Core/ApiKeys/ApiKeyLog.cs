using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.ApiKeys;

/// <summary>API-key events with stable ids. They carry user and key ids, never a key, a secret or a digest.</summary>
internal static partial class ApiKeyLog
{
    [LoggerMessage(1200, LogLevel.Information, "User {UserId} created API key {KeyId} (scope {Scope}, expires {ExpiresAt})")]
    public static partial void Created(ILogger logger, string userId, string keyId, string scope, DateTimeOffset expiresAt);

    [LoggerMessage(1201, LogLevel.Information, "API key {KeyId} of user {UserId} revoked by {ActorId}")]
    public static partial void Revoked(ILogger logger, string keyId, string userId, string actorId);

    [LoggerMessage(1202, LogLevel.Warning, "All {Count} API key(s) of user {UserId} revoked")]
    public static partial void RevokedAll(ILogger logger, string userId, int count);

    [LoggerMessage(1203, LogLevel.Warning, "An API key was refused")]
    public static partial void Refused(ILogger logger);

    [LoggerMessage(1204, LogLevel.Information, "API key {KeyId} of user {UserId} issued an access token (scope {Scope})")]
    public static partial void TokenIssued(ILogger logger, string keyId, string userId, string scope);

    [LoggerMessage(1205, LogLevel.Debug, "lastUsedAt of API key {KeyId} was written by another request first")]
    public static partial void LastUsedRaceLost(ILogger logger, string keyId);

    [LoggerMessage(1206, LogLevel.Warning, "lastUsedAt of API key {KeyId} could not be written ({Error}); the request was answered anyway")]
    public static partial void LastUsedWriteFailed(ILogger logger, string keyId, string error);

    [LoggerMessage(1207, LogLevel.Information, "Cleanup removed {Removed} expired API key(s), visited {Visited} index entries")]
    public static partial void CleanupFinished(ILogger logger, int removed, int visited);
}
