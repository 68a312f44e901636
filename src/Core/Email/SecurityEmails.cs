using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Email;

/// <summary>
/// Queues a security notice (docs/api.md, "Audit trail") after the change it tells of. Best effort: the change is
/// stored and its audit event with it, so a queue that fails now is logged and does not turn a done change into a 503.
/// </summary>
public sealed class SecurityEmails(EmailOutbox outbox, ILogger<SecurityEmails> logger)
{
    public async Task NotifyAsync(string kind, string email, CancellationToken cancellationToken)
    {
        try
        {
            await outbox.EnqueueAsync(new OutboxMessage(kind, email), cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or OperationCanceledException)
        {
            EmailLog.EnqueueFailed(logger, e.GetType().Name);
        }
    }
}
