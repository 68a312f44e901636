using FuncAuth.Core.Accounts.EmailTokens;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Email;
using FuncAuth.Core.Options;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Accounts.Lifecycle;

/// <summary>
/// The address side of an account (a part of <see cref="AccountService"/>): sign-up while verification is required,
/// the verification email and its link, and the resend and forgot-password requests.
/// </summary>
public sealed class EmailVerification(
    PasswordHashing passwords, UserStore users, AccountTokenReader tokens, EmailOutbox outbox, BreachedPasswords breaches,
    AuditTrail audit, Diagnostics.AuthMetrics metrics, TimeProvider time, ILogger<EmailVerification> logger)
{
    private readonly PasswordHashing _passwords = passwords;
    private readonly UserStore _users = users;
    private readonly AccountTokenReader _tokens = tokens;
    private readonly EmailOutbox _outbox = outbox;
    private readonly TimeProvider _time = time;
    private readonly ILogger<EmailVerification> _logger = logger;

    private BreachedPasswords Breaches { get; } = breaches;

    private AuditTrail Audit { get; } = audit;

    private Diagnostics.AuthMetrics Metrics { get; } = metrics;

    /// <summary>
    /// Sign-up while verification is required: the same answer, and the same work, for a new and a registered address.
    /// A new address gets an account and a verification email; a registered one gets a "someone tried" email.
    /// </summary>
    internal async Task<IReadOnlyDictionary<string, string[]>> SignupWithVerificationAsync(
        string? email, string? password, string? passwordConfirmation, string? name, CancellationToken cancellationToken)
    {
        var errors = Validation.Signup(email, password, passwordConfirmation, name);
        if (errors.Count > 0)
        {
            return errors;
        }

        if (await Breaches.RefuseAsync(password!, cancellationToken) is { } breached)
        {
            return breached;
        }

        var address = email!.Trim();
        var normalized = EmailAddress.Normalize(address);
        var emailKey = EmailAddress.StorageKey(normalized);
        var user = new UserEntity
        {
            PartitionKey = emailKey,
            UserId = Ids.New(),
            Email = address,
            Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim(),
            // Never admin here: whoever signs up chose this password without proving the address (pre-hijacking).
            Roles = Roles.User,
            PasswordHash = _passwords.Hash(password!),
            CreatedAt = _time.GetUtcNow(),
            SecurityStamp = Ids.New(),
        };

        // Three table calls whatever the address (no scan, nothing told by the count): the user row, the account insert
        // (the uniqueness arbiter), then the losing sign-up's user row removed, or its twin call for a new account.
        // The protocol only rolls forward: when the account insert fails with no answer, it may have landed, so the user
        // row stays (without it the account could never be verified, reset or signed in to). If the insert never landed,
        // the row is one orphan in a partition of a random user id nobody holds, and the address is free again.
        // The event goes first, beside the user row, whatever the address: a taken one leaves an event under a user id
        // that never came to be (no trail anyone reads; cleanup removes it), so the calls still tell nothing.
        await Task.WhenAll(_users.InsertUserRowAsync(user, cancellationToken), Audit.RecordAsync(AuditEventType.Signup, user.UserId, cancellationToken));
        var created = await _users.TryInsertAsync(user, cancellationToken);
        if (!created)
        {
            await _users.DeleteUserRowAsync(user, cancellationToken);
        }
        else
        {
            await _users.MatchUserRowDeleteAsync(user, cancellationToken);
            LifecycleLog.SignedUpUnverified(_logger, user.UserId);
        }

        if (created)
        {
            Metrics.SignedUp();
        }
        else
        {
            Metrics.SignupEmailTaken();
        }

        await TryEnqueueAsync(new OutboxMessage(created ? EmailKinds.VerifyEmail : EmailKinds.SignupAttempt, address), cancellationToken);
        return errors;
    }

    /// <summary>Queues a verification email after an ordinary sign-up; a queue failure does not undo the account.</summary>
    internal Task SendVerificationAfterSignupAsync(string email, CancellationToken cancellationToken) =>
        TryEnqueueAsync(new OutboxMessage(EmailKinds.VerifyEmail, email.Trim()), cancellationToken);

    /// <summary>Resend and forgot: one queue call whatever the address, so neither answer nor timing tells if it exists.</summary>
    internal async Task<IReadOnlyDictionary<string, string[]>> RequestEmailAsync(string kind, string? email, CancellationToken cancellationToken)
    {
        var trimmed = email?.Trim();
        if (string.IsNullOrEmpty(trimmed) || !TextRules.IsValidUtf16(trimmed) || !EmailAddress.IsValid(trimmed))
        {
            return new Dictionary<string, string[]> { ["email"] = [$"Email must be a valid address of at most {EmailAddress.MaxLength} characters."] };
        }

        await _outbox.EnqueueAsync(new OutboxMessage(kind, trimmed), cancellationToken);
        return new Dictionary<string, string[]>();
    }

    internal async Task<VerifyEmailStatus> VerifyEmailAsync(string? token, CancellationToken cancellationToken)
    {
        var parts = AccountTokens.Parse(token, AccountTokenPurpose.VerifyEmail);
        if (parts is null)
        {
            return VerifyEmailStatus.Invalid;
        }

        AuditEvent? audit = null;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var (user, expired) = await _tokens.ReadAsync(parts, cancellationToken);
            if (user is null)
            {
                return expired ? VerifyEmailStatus.Expired : VerifyEmailStatus.Invalid;
            }

            audit ??= Audit.Event(AuditEventType.EmailVerified, user.UserId);
            await Audit.RecordAsync(audit, cancellationToken);
            user.EmailVerified = true;
            if (await _users.TryReplaceAsync(user, cancellationToken))
            {
                LifecycleLog.EmailVerified(_logger, user.UserId);
                return VerifyEmailStatus.Verified;
            }
        }

        throw new StorageContentionException();
    }

    private async Task TryEnqueueAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _outbox.EnqueueAsync(message, cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            LifecycleLog.EnqueueFailed(_logger, e.GetType().Name);
        }
    }
}
