using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Email;

/// <summary>Email events: the kind and the user id, never the address, a token or a link.</summary>
internal static partial class EmailLog
{
    [LoggerMessage(1250, LogLevel.Information, "Sent a {Kind} email to user {UserId}")]
    public static partial void Sent(ILogger logger, string kind, string userId);

    [LoggerMessage(1251, LogLevel.Information, "Dropped an outbox message ({Reason})")]
    public static partial void Dropped(ILogger logger, string reason);

    [LoggerMessage(1252, LogLevel.Warning, "Sending an outbox message failed on try {DequeueCount} ({ExceptionType}); the queue retries it")]
    public static partial void SendFailed(ILogger logger, long dequeueCount, string exceptionType);

    [LoggerMessage(1253, LogLevel.Error, "An outbox message failed {DequeueCount} times; moved to the poison queue")]
    public static partial void Poisoned(ILogger logger, long dequeueCount);

    [LoggerMessage(1254, LogLevel.Warning, "The outbox queue could not be read ({ExceptionType}); trying again later")]
    public static partial void QueueUnavailable(ILogger logger, string exceptionType);

    [LoggerMessage(1255, LogLevel.Warning, "An email could not be queued ({ExceptionType}); the user can ask for it again")]
    public static partial void EnqueueFailed(ILogger logger, string exceptionType);
}
