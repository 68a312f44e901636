using FuncAuth.Core.Accounts;
using FuncAuth.Core.Accounts.EmailTokens;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace FuncAuth.Core.Email;

/// <summary>
/// Sends one outbox message: reads the account, mints the token the mail carries, renders the templates and sends.
/// Used by the queue-triggered SendEmail function and by the standalone drainer alike. An SMTP failure throws, so the
/// queue retries the message; the token is minted again on each try, and none is ever logged.
/// </summary>
public sealed class EmailDispatcher
{
    private readonly UserStore _users;
    private readonly SigningKeyRing _keys;
    private readonly IEmailSender _sender;
    private readonly IEmailRecipientLimit _limit;
    private readonly IOptions<EmailOptions> _email;
    private readonly IOptions<AuthOptions> _auth;
    private readonly TimeProvider _time;
    private readonly ILogger<EmailDispatcher> _logger;

    public EmailDispatcher(
        UserStore users,
        SigningKeyRing keys,
        IEmailSender sender,
        IEmailRecipientLimit limit,
        IOptions<EmailOptions> email,
        IOptions<AuthOptions> auth,
        TimeProvider time,
        ILogger<EmailDispatcher> logger,
        Diagnostics.DependencyHealth health)
    {
        Health = health;
        _users = users;
        _keys = keys;
        _sender = sender;
        _limit = limit;
        _email = email;
        _auth = auth;
        _time = time;
        _logger = logger;
    }

    /// <summary>Told when SMTP accepts a mail again after failing (<see cref="Diagnostics.DependencyHealth"/> logs the recovery).</summary>
    private Diagnostics.DependencyHealth Health { get; }

    /// <summary>
    /// Sends one outbox message. The recipient's limit is charged on the message's first try only
    /// (<paramref name="dequeueCount"/> 1): a retry after an SMTP failure is the same mail, and charging it again would
    /// let an outage use up the recipient's allowance and drop their later mail.
    /// </summary>
    public async Task<DispatchOutcome> DispatchAsync(string? messageText, long dequeueCount, CancellationToken cancellationToken)
    {
        var message = OutboxMessage.TryParse(messageText);
        if (message is null || !TextRules.IsValidUtf16(message.To) || !EmailAddress.IsValid(message.To.Trim()))
        {
            EmailLog.Dropped(_logger, "malformed");
            return DispatchOutcome.Dropped;
        }

        var normalized = EmailAddress.Normalize(message.To);
        var user = await _users.FindByEmailKeyAsync(EmailAddress.StorageKey(normalized), cancellationToken);
        if (user is null || (message.Kind == EmailKinds.VerifyEmail && user.EmailVerified) || (message.Kind == EmailKinds.ResetPassword && user.Disabled))
        {
            EmailLog.Dropped(_logger, message.Kind);
            return DispatchOutcome.Dropped;
        }

        // A security notice has its own cap per account and is not counted against the recipient's limit: a flood of
        // reset links must not silence the notice that the password was changed.
        var notice = EmailKinds.IsSecurityNotice(message.Kind);
        if (notice && dequeueCount <= 1 && !await _limit.TryAcquireSecurityNoticeAsync(user.UserId, cancellationToken))
        {
            EmailLog.Dropped(_logger, "security_notice_limit");
            return DispatchOutcome.Dropped;
        }

        if (!notice && dequeueCount <= 1 && !await _limit.TryAcquireAsync(normalized, cancellationToken))
        {
            EmailLog.Dropped(_logger, "recipient_limit");
            return DispatchOutcome.Dropped;
        }

        var mail = await RenderAsync(message.Kind, user, cancellationToken);
        mail.To.Add(MailboxAddress.Parse(user.Email));
        try
        {
            await _sender.SendAsync(mail, cancellationToken);
        }
        catch (Exception e)
        {
            // MailKit's exceptions (a bare SocketException among them) do not say they are SMTP's; the message's try is the attempt.
            Diagnostics.DependencyMarks.Set(e, Diagnostics.Dependency.Smtp, (int)Math.Min(dequeueCount, int.MaxValue));
            throw;
        }

        Health.Succeeded(Diagnostics.Dependency.Smtp);
        EmailLog.Sent(_logger, message.Kind, user.UserId);
        return DispatchOutcome.Sent;
    }

    private async Task<MimeMessage> RenderAsync(string kind, UserEntity user, CancellationToken cancellationToken)
    {
        var baseUrl = _email.Value.LinkBaseUrl!.AbsoluteUri.TrimEnd('/');
        var appLink = new Uri(baseUrl + "/");
        switch (kind)
        {
            case EmailKinds.SignupAttempt:
                return EmailTemplates.SignupAttempt(appLink);
            case EmailKinds.TotpEnabled:
                return EmailTemplates.TotpEnabled(appLink);
            case EmailKinds.TotpDisabled:
                return EmailTemplates.TotpDisabled(appLink);
            case EmailKinds.MfaReset:
                return EmailTemplates.MfaReset(appLink);
        }

        if (kind == EmailKinds.PasskeyAdded)
        {
            return EmailTemplates.PasskeyAdded(new Uri(baseUrl + "/passkeys"));
        }

        if (EmailKinds.IsSecurityNotice(kind))
        {
            return EmailTemplates.SecurityNotice(kind, new Uri(baseUrl + "/activity"));
        }

        var keys = await _keys.GetAsync(cancellationToken);
        var now = _time.GetUtcNow();
        if (kind == EmailKinds.VerifyEmail)
        {
            var token = AccountTokens.Create(AccountTokenPurpose.VerifyEmail, user, now + _auth.Value.VerificationTokenLifetime, keys.Current);
            return EmailTemplates.VerifyEmail(new Uri(baseUrl + "/verify-email?token=" + Uri.EscapeDataString(token)));
        }

        var reset = AccountTokens.Create(AccountTokenPurpose.ResetPassword, user, now + _auth.Value.PasswordResetLifetime, keys.Current);
        return EmailTemplates.ResetPassword(new Uri(baseUrl + "/reset-password?token=" + Uri.EscapeDataString(reset)));
    }
}
