namespace FuncAuth.Core.Email;

/// <summary>
/// The per-recipient email limit (§4 <c>EmailsPerRecipient</c>), asked just before a mail is sent. A mail over the
/// limit is dropped, never answered with 429, because the request that caused it must not reveal the address.
/// </summary>
public interface IEmailRecipientLimit
{
    /// <summary>True when one more mail may go to this (normalised) address now; counts it.</summary>
    ValueTask<bool> TryAcquireAsync(string normalizedEmail, CancellationToken cancellationToken);

    /// <summary>True when one more security notice may go to this account now (its own cap, <c>SecurityEmailsPerAccount</c>); counts it.</summary>
    ValueTask<bool> TryAcquireSecurityNoticeAsync(string userId, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}
