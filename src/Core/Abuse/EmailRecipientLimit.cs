using FuncAuth.Core.Accounts;
using FuncAuth.Core.Email;

namespace FuncAuth.Core.Abuse;

/// <summary>
/// The outbox's per-recipient limit backed by the distributed <see cref="RateLimitName.EmailsPerRecipient"/> counter:
/// asked when a mail is about to be sent, so a mail over the limit is dropped while the request that queued it has
/// already had its usual answer.
/// </summary>
internal sealed class EmailRecipientLimit(AbuseLimits limits) : IEmailRecipientLimit
{
    public async ValueTask<bool> TryAcquireAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        var decision = await limits.TryAcquireAsync(RateLimitName.EmailsPerRecipient, EmailAddress.StorageKey(normalizedEmail), cancellationToken);
        return decision.Allowed;
    }

    public async ValueTask<bool> TryAcquireSecurityNoticeAsync(string userId, CancellationToken cancellationToken) =>
        (await limits.TryAcquireAsync(RateLimitName.SecurityEmailsPerAccount, userId, cancellationToken)).Allowed;
}
