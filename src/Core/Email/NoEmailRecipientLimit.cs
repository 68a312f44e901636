namespace FuncAuth.Core.Email;

/// <summary>No limit: the default until a limiter is registered in its place.</summary>
internal sealed class NoEmailRecipientLimit : IEmailRecipientLimit
{
    public ValueTask<bool> TryAcquireAsync(string normalizedEmail, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}
