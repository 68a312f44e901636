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
/// What a user does with their own account after sign-up: verify the address, reset or change the password, edit the
/// profile, see and end sessions, delete the account; and sign-up when verification is required.
/// </summary>
public sealed partial class AccountLifecycle
{
    private const int MaxAttempts = 5;

    /// <summary>Counters of the auth events; set by the service registration.</summary>
    internal Diagnostics.AuthMetrics? Metrics { get; init; }

    /// <summary>The breached-password check; null where none is registered.</summary>
    internal BreachedPasswords? Breaches { get; init; }
    /// <summary>The enabled admins, for the last-admin rule; set by the service registration.</summary>
    internal Admin.AdminIndex? Admins { get; init; }

    /// <summary>The audit trail; each operation records its event before its change.</summary>
    internal AuditTrail? Audit { get; init; }

    /// <summary>The security notices (password changed, password reset); null where email is not registered.</summary>
    internal SecurityEmails? SecurityEmails { get; init; }

    private readonly IOptions<AuthOptions> _options;
    private readonly PasswordHashing _passwords;
    private readonly SigningKeyRing _keys;
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly EmailOutbox _outbox;
    private readonly ApiKeys.ApiKeyService _apiKeys;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountLifecycle> _logger;

    internal AccountLifecycle(
        IOptions<AuthOptions> options, PasswordHashing passwords, SigningKeyRing keys, UserStore users, SessionStore sessions,
        EmailOutbox outbox, ApiKeys.ApiKeyService apiKeys, TimeProvider time, ILogger<AccountLifecycle> logger)
    {
        _apiKeys = apiKeys;
        _options = options;
        _passwords = passwords;
        _keys = keys;
        _users = users;
        _sessions = sessions;
        _outbox = outbox;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Sign-up while verification is required: the same answer, and the same work, for a new and a registered address.
    /// A new address gets an account and a verification email; a registered one gets a "someone tried" email.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string[]>> SignupWithVerificationAsync(
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
            Metrics?.SignedUp();
        }
        else
        {
            Metrics?.SignupEmailTaken();
        }

        await TryEnqueueAsync(new OutboxMessage(created ? EmailKinds.VerifyEmail : EmailKinds.SignupAttempt, address), cancellationToken);
        return errors;
    }

    /// <summary>Queues a verification email after an ordinary sign-up; a queue failure does not undo the account.</summary>
    public Task SendVerificationAfterSignupAsync(string email, CancellationToken cancellationToken) =>
        TryEnqueueAsync(new OutboxMessage(EmailKinds.VerifyEmail, email.Trim()), cancellationToken);

    /// <summary>Resend and forgot: one queue call whatever the address, so neither answer nor timing tells if it exists.</summary>
    public async Task<IReadOnlyDictionary<string, string[]>> RequestEmailAsync(string kind, string? email, CancellationToken cancellationToken)
    {
        var trimmed = email?.Trim();
        if (string.IsNullOrEmpty(trimmed) || !TextRules.IsValidUtf16(trimmed) || !EmailAddress.IsValid(trimmed))
        {
            return new Dictionary<string, string[]> { ["email"] = [$"Email must be a valid address of at most {EmailAddress.MaxLength} characters."] };
        }

        await _outbox.EnqueueAsync(new OutboxMessage(kind, trimmed), cancellationToken);
        return new Dictionary<string, string[]>();
    }

    public async Task<VerifyEmailStatus> VerifyEmailAsync(string? token, CancellationToken cancellationToken)
    {
        var parts = AccountTokens.Parse(token, AccountTokenPurpose.VerifyEmail);
        if (parts is null)
        {
            return VerifyEmailStatus.Invalid;
        }

        AuditEvent? audit = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (user, status) = await CheckTokenAsync(parts, cancellationToken);
            if (user is null)
            {
                return status == TokenState.Expired ? VerifyEmailStatus.Expired : VerifyEmailStatus.Invalid;
            }

            audit ??= Audit?.Event(AuditEventType.EmailVerified, user.UserId);
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

    /// <summary>
    /// Sets the password from a reset token: stores the new password, a new security stamp (every other reset token
    /// dies, and every session and API key proved under the old stamp is refused from then on) and the address as
    /// verified, then ends every session and revokes every API key (the reset is how an owner takes an account back).
    /// The stamp is stored before the sweep, so a login racing the reset cannot keep a session. An address in
    /// <c>Auth__AdminEmails</c> becomes admin at its first completed reset: its owner just proved it.
    /// </summary>
    public async Task<ResetPasswordResult> ResetPasswordAsync(string? token, string? password, string? passwordConfirmation, CancellationToken cancellationToken)
    {
        var errors = Validation.NewPassword(null, password, passwordConfirmation);
        if (errors.Count > 0)
        {
            return new ResetPasswordResult.Invalid(errors);
        }

        var parts = AccountTokens.Parse(token, AccountTokenPurpose.ResetPassword);
        if (parts is null)
        {
            return new ResetPasswordResult.InvalidToken();
        }

        AuditEvent? audit = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (user, status) = await CheckTokenAsync(parts, cancellationToken);
            if (user is null)
            {
                return status == TokenState.Expired ? new ResetPasswordResult.ExpiredToken() : new ResetPasswordResult.InvalidToken();
            }

            errors = Validation.NewPassword(user.Email, password, passwordConfirmation);
            if (errors.Count > 0)
            {
                return new ResetPasswordResult.Invalid(errors);
            }

            // Once, after the token proved the caller may set this password: a retry after a lost race checked it already.
            if (attempt == 0 && await Breaches.RefuseAsync(password!, cancellationToken) is { } breached)
            {
                return new ResetPasswordResult.Invalid(breached);
            }

            SetPassword(user, password!);
            user.EmailVerified = true;
            var granted = GrantListedAdminOnce(user);
            audit ??= Audit?.Event(AuditEventType.PasswordReset, user.UserId,
                details: new Dictionary<string, string> { ["adminGranted"] = granted ? "true" : "false" });
            await Audit.RecordAsync(audit, cancellationToken);
            if (await StoreCredentialChangeAsync(user, exceptSessionId: null, RevocationReason.PasswordReset, cancellationToken) is { } ended)
            {
                if (granted && Admins is not null)
                {
                    await Admins.ListIfAdminAsync(user, cancellationToken);
                }

                LifecycleLog.PasswordReset(_logger, user.UserId, ended, user.Roles);
                await NotifyAsync(EmailKinds.PasswordResetNotice, user.Email, cancellationToken);
                return new ResetPasswordResult.Reset(user.Email);
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// <c>Auth__AdminEmails</c> grants admin once per account: at its first completed reset (or at sign-up where that
    /// grants it). An account that held admin already counts as granted, so an admin who removes the role later is not
    /// overruled by the next reset.
    /// </summary>
    private bool GrantListedAdminOnce(UserEntity user)
    {
        if (user.AdminEmailGranted || !_options.Value.AdminEmailSet.Contains(EmailAddress.Normalize(user.Email)))
        {
            return false;
        }

        user.AdminEmailGranted = true;
        user.Roles = string.Join(',', Roles.Canonical(user.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries).Append(Roles.Admin)));
        return true;
    }

    /// <summary>Changes the password after checking the current one; every other session ends, the caller's stays.</summary>
    public async Task<PasswordCheckedResult> ChangePasswordAsync(
        AuthenticatedSession caller, string? currentPassword, string? password, string? passwordConfirmation, CancellationToken cancellationToken)
    {
        var errors = Validation.NewPassword(null, password, passwordConfirmation);
        if (string.IsNullOrEmpty(currentPassword))
        {
            errors = new Dictionary<string, string[]>(errors) { ["currentPassword"] = ["Current password is required."] };
        }

        if (errors.Count > 0)
        {
            return new PasswordCheckedResult.Invalid(errors);
        }

        AuditEvent? audit = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var user = await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken);
            if (user is null || user.UserId != caller.UserId)
            {
                return new PasswordCheckedResult.NoAccount();
            }

            if (_passwords.Verify(user.PasswordHash, currentPassword!) == PasswordCheck.Failed)
            {
                LifecycleLog.PasswordIncorrect(_logger, user.UserId);
                return new PasswordCheckedResult.PasswordIncorrect();
            }

            errors = Validation.NewPassword(user.Email, password, passwordConfirmation);
            if (errors.Count > 0)
            {
                return new PasswordCheckedResult.Invalid(errors);
            }

            if (attempt == 0 && await Breaches.RefuseAsync(password!, cancellationToken) is { } breached)
            {
                return new PasswordCheckedResult.Invalid(breached);
            }

            SetPassword(user, password!);
            audit ??= Audit?.Event(AuditEventType.PasswordChanged, user.UserId, sessionId: caller.SessionId);
            await Audit.RecordAsync(audit, cancellationToken);
            if (await StoreCredentialChangeAsync(user, caller.SessionId, RevocationReason.PasswordChanged, cancellationToken) is { } ended)
            {
                LifecycleLog.PasswordChanged(_logger, user.UserId, ended);
                await NotifyAsync(EmailKinds.PasswordChangedNotice, user.Email, cancellationToken);
                return new PasswordCheckedResult.Done();
            }
        }

        throw new StorageContentionException();
    }

    public async Task<UpdateProfileResult> UpdateProfileAsync(AuthenticatedSession caller, string? name, CancellationToken cancellationToken)
    {
        if (name is not null && (name.Length > Validation.NameMaxLength || !TextRules.IsWellFormed(name)))
        {
            return new UpdateProfileResult.Invalid(new Dictionary<string, string[]> { ["name"] = [$"Name must be at most {Validation.NameMaxLength} characters, without control characters."] });
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var user = await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken);
            if (user is null || user.UserId != caller.UserId)
            {
                return new UpdateProfileResult.NoAccount();
            }

            user.Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
            if (await _users.TryReplaceAsync(user, cancellationToken))
            {
                return new UpdateProfileResult.Updated(user.ToAccount());
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>The caller's live sessions, newest first.</summary>
    public async Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(AuthenticatedSession caller, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        return (await _sessions.AllOfUserAsync(caller.UserId, cancellationToken))
            .Where(s => !s.Revoked && s.ExpiresAt > now)
            .OrderByDescending(s => s.CreatedAt)
            .Select(s => new SessionInfo(s.SessionId, s.SessionId == caller.SessionId, s.CreatedAt, s.Counter > 0 ? s.RotatedAt : null, s.ExpiresAt, s.UserAgent,
                DeviceLabel.Of(s.UserAgent), s.RotatedAt))
            .ToList();
    }

    /// <summary>Ends one of the caller's sessions (the current one too); false when the caller has no such live session.</summary>
    public async Task<bool> EndSessionAsync(AuthenticatedSession caller, string sessionId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(sessionId))
        {
            return false;
        }

        AuditEvent? audit = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var session = await _sessions.GetAsync(caller.UserId, sessionId, cancellationToken);
            if (session is null || session.Revoked || session.ExpiresAt <= _time.GetUtcNow())
            {
                return false;
            }

            // A logout of one other device, from the sessions list: the event is in the caller's session, the ended one named.
            audit ??= Audit?.Event(AuditEventType.Logout, caller.UserId, sessionId: caller.SessionId,
                details: new Dictionary<string, string> { ["scope"] = "session", ["endedSessionId"] = sessionId });
            await Audit.RecordAsync(audit, cancellationToken);
            session.Revoke(RevocationReason.SessionDeleted, _time.GetUtcNow());
            if (await _sessions.TryReplaceAsync(session, cancellationToken))
            {
                LifecycleLog.SessionEnded(_logger, caller.UserId, sessionId);
                Metrics?.Revoked(RevocationReason.SessionDeleted, 1);
                return true;
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// Deletes the account after checking the password: ends every session (every token is refused from then on),
    /// removes every other row of the user, and the account row last, so a failure halfway leaves an account that can
    /// still sign in and delete itself again.
    /// </summary>
    public async Task<PasswordCheckedResult> DeleteAccountAsync(AuthenticatedSession caller, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(password))
        {
            return new PasswordCheckedResult.Invalid(new Dictionary<string, string[]> { ["password"] = ["Password is required."] });
        }

        var user = await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken);
        if (user is null || user.UserId != caller.UserId)
        {
            return new PasswordCheckedResult.NoAccount();
        }

        if (_passwords.Verify(user.PasswordHash, password) == PasswordCheck.Failed)
        {
            LifecycleLog.PasswordIncorrect(_logger, user.UserId);
            return new PasswordCheckedResult.PasswordIncorrect();
        }

        // The event stays when the account goes (the trail is kept for Audit__Retention, not with the account).
        await Audit.RecordAsync(AuditEventType.AccountDeleted, user.UserId, cancellationToken, sessionId: caller.SessionId);

        // A new stamp first: every session and API key is refused from here on, also one a racing login opens now.
        for (var attempt = 0; ; attempt++)
        {
            user.SecurityStamp = Ids.New();
            if (await _users.TryReplaceAsync(user, cancellationToken))
            {
                break;
            }

            var fresh = await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken);
            if (fresh is null || fresh.UserId != user.UserId)
            {
                break; // Gone already: remove what is left.
            }

            if (attempt + 1 >= MaxAttempts)
            {
                throw new StorageContentionException();
            }

            user = fresh;
        }

        await EndSessionsAsync(user.UserId, exceptSessionId: null, RevocationReason.AccountDeleted, cancellationToken);
        await _users.DeleteAllRowsButAccountAsync(user.UserId, cancellationToken);
        if (Admins is not null && user.Roles.Split(',').Contains(Roles.Admin, StringComparer.Ordinal))
        {
            await Admins.UnlistDeletedAsync(user.UserId, cancellationToken);
        }

        if (!await _users.TryDeleteAccountAsync(user, cancellationToken))
        {
            // Changed since read (a concurrent reset, say): the rest is gone already; remove what is there now.
            var fresh = await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken);
            if (fresh is not null && fresh.UserId == user.UserId && !await _users.TryDeleteAccountAsync(fresh, cancellationToken))
            {
                throw new StorageContentionException();
            }
        }

        LifecycleLog.AccountDeleted(_logger, user.UserId);
        return new PasswordCheckedResult.Done();
    }

    private enum TokenState
    {
        Invalid,
        Expired,
    }

    /// <summary>The account a token is for, if its MAC matches the account as it is now and it has not expired.</summary>
    private async Task<(UserEntity? User, TokenState State)> CheckTokenAsync(AccountTokenParts parts, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken);
        var key = keys.Find(parts.KeyId);
        if (key is null)
        {
            keys = await _keys.GetWithKeyAsync(parts.KeyId, cancellationToken);
            key = keys.Find(parts.KeyId);
        }

        var emailKey = key is null ? null : await _users.FindEmailKeyAsync(parts.UserId, cancellationToken);
        var user = emailKey is null ? null : await _users.FindByEmailKeyAsync(emailKey, cancellationToken);
        if (user is null || user.UserId != parts.UserId || !AccountTokens.Matches(parts, user, key!))
        {
            return (null, TokenState.Invalid);
        }

        return _time.GetUtcNow() >= parts.ExpiresAt ? (null, TokenState.Expired) : (user, TokenState.Invalid);
    }

    private void SetPassword(UserEntity user, string password)
    {
        user.PasswordHash = _passwords.Hash(password);
        user.SecurityStamp = Ids.New();
    }

    /// <summary>
    /// Stores a credential change (the account with its new security stamp, then its profile copy), then ends the
    /// sessions proved under the old stamp: every session, or all but <paramref name="exceptSessionId"/>, which is moved
    /// to the new stamp; a reset also revokes every API key. Null when the account changed since it was read (read it
    /// again). The stamp is stored first so a login racing the change cannot keep a session; if storing fails halfway
    /// (the account written, its copy not, so the stamp does not refuse anything yet), the sweep still runs, as far as
    /// storage lets, before the failure is passed on.
    /// </summary>
    private async Task<int?> StoreCredentialChangeAsync(UserEntity user, string? exceptSessionId, RevocationReason reason, CancellationToken cancellationToken)
    {
        bool stored;
        try
        {
            stored = await _users.TryReplaceAsync(user, cancellationToken);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or StorageContentionException)
        {
            try
            {
                await SweepAsync(user.UserId, exceptSessionId, reason, CancellationToken.None);
            }
            catch (Exception sweep) when (sweep is Azure.RequestFailedException or StorageContentionException)
            {
                Diagnostics.CredentialLog.SweepAfterWriteFailed(_logger, (sweep as Azure.RequestFailedException)?.Status ?? 0);
            }

            throw;
        }

        if (!stored)
        {
            return null;
        }

        if (exceptSessionId is not null)
        {
            await _sessions.SetSecurityStampAsync(user.UserId, exceptSessionId, user.SecurityStamp, cancellationToken);
        }

        return await SweepAsync(user.UserId, exceptSessionId, reason, cancellationToken);
    }

    /// <summary>Ends the sessions (all but <paramref name="exceptSessionId"/>); after a reset, revokes every API key too.</summary>
    private async Task<int> SweepAsync(string userId, string? exceptSessionId, RevocationReason reason, CancellationToken cancellationToken)
    {
        var ended = await EndSessionsAsync(userId, exceptSessionId, reason, cancellationToken);
        if (reason == RevocationReason.PasswordReset)
        {
            var keys = await _apiKeys.RevokeAllForUserAsync(userId, cancellationToken);
            Diagnostics.CredentialLog.ApiKeysRevoked(_logger, userId, "password_reset", keys);
        }

        return ended;
    }

    private async Task<int> EndSessionsAsync(string userId, string? exceptSessionId, RevocationReason reason, CancellationToken cancellationToken)
    {
        var ended = await _sessions.RevokeLiveSessionsAsync(userId, exceptSessionId, reason, _time.GetUtcNow(), cancellationToken);
        Metrics?.Revoked(reason, ended);
        return ended;
    }

    private Task NotifyAsync(string kind, string email, CancellationToken cancellationToken) =>
        SecurityEmails is null ? Task.CompletedTask : SecurityEmails.NotifyAsync(kind, email, cancellationToken);

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
