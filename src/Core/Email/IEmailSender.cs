using MimeKit;

namespace FuncAuth.Core.Email;

/// <summary>Sends one message over SMTP with MailKit: a connection per message, which suits the outbox's low rate.</summary>
public interface IEmailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}
