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
/// Setting a new password (a part of <see cref="AccountService"/>): from a reset link, or from the current password.
/// Either stores a new security stamp first and then ends the sessions proved under the old one.
/// </summary>
public sealed class PasswordChanges(
    IOptions<AuthOptions> options, PasswordHashing passwords, UserStore users, SessionStore sessions, AccountTokenReader tokens,
    ApiKeys.ApiKeyService apiKeys, BreachedPasswords breaches, Admin.AdminIndex admins, AuditTrail audit, SecurityEmails securityEmails,
    Diagnostics.AuthMetrics metrics, TimeProvider time, ILogger<PasswordChanges> logger)
{
    private readonly IOptions<AuthOptions> _options = options;
    private readonly PasswordHashing _passwords = passwords;
    private readonly UserStore _users = users;
    private readonly SessionStore _sessions = sessions;
    private readonly AccountTokenReader _tokens = tokens;
    private readonly ApiKeys.ApiKeyService _apiKeys = apiKeys;
    private readonly TimeProvider _time = time;
    private readonly ILogger<PasswordChanges> _logger = logger;

    private BreachedPasswords Breaches { get; } = breaches;

    private Admin.AdminIndex Admins { get; } = admins;

    private AuditTrail Audit { get; } = audit;

    private SecurityEmails SecurityEmails { get; } = securityEmails;

    private Diagnostics.AuthMetrics Metrics { get; } = metrics;

    /// <summary>
    /// Sets the password from a reset token: stores the new password, a new security stamp (every other reset token
    /// dies, and every session and API key proved under the old stamp is refused from then on) and the address as
    /// verified, then ends every session and revokes every API key (the reset is how an owner takes an account back).
    /// The stamp is stored before the sweep, so a login racing the reset cannot keep a session. An address in
    /// <c>Auth__AdminEmails</c> becomes admin at its first completed reset: its owner just proved it.
    /// </summary>
    internal async Task<ResetPasswordResult> ResetPasswordAsync(string? token, string? password, string? passwordConfirmation, CancellationToken cancellationToken)
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
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var (user, expired) = await _tokens.ReadAsync(parts, cancellationToken);
            if (user is null)
            {
                return expired ? new ResetPasswordResult.ExpiredToken() : new ResetPasswordResult.InvalidToken();
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
            audit ??= Audit.Event(AuditEventType.PasswordReset, user.UserId,
                details: new Dictionary<string, string> { ["adminGranted"] = granted ? "true" : "false" });
            await Audit.RecordAsync(audit, cancellationToken);
            if (await StoreCredentialChangeAsync(user, exceptSessionId: null, RevocationReason.PasswordReset, cancellationToken) is { } ended)
            {
                if (granted)
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
    internal async Task<PasswordCheckedResult> ChangePasswordAsync(
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
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
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
            audit ??= Audit.Event(AuditEventType.PasswordChanged, user.UserId, sessionId: caller.SessionId);
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
        Metrics.Revoked(reason, ended);
        return ended;
    }

    private Task NotifyAsync(string kind, string email, CancellationToken cancellationToken) =>
        SecurityEmails.NotifyAsync(kind, email, cancellationToken);
}
