using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Audit;

internal static partial class AuditLog
{
    [LoggerMessage(1650, LogLevel.Debug, "Audit event {Type} of user {UserId} stored ({EventId})")]
    public static partial void Recorded(ILogger logger, string type, string userId, string eventId);

    [LoggerMessage(1651, LogLevel.Information, "Audit cleanup removed {Count} expired events of {Users} users")]
    public static partial void Removed(ILogger logger, int count, int users);
}
