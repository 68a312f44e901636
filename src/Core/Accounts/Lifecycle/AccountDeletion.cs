using FuncAuth.Core.Audit;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Accounts.Lifecycle;

/// <summary>An owner deleting their account (a part of <see cref="AccountService"/>).</summary>
public sealed class AccountDeletion(
    PasswordHashing passwords, UserStore users, SessionStore sessions, Admin.AdminIndex admins, AuditTrail audit,
    Diagnostics.AuthMetrics metrics, TimeProvider time, ILogger<AccountDeletion> logger)
{
    private readonly PasswordHashing _passwords = passwords;
    private readonly UserStore _users = users;
    private readonly SessionStore _sessions = sessions;
    private readonly TimeProvider _time = time;
    private readonly ILogger<AccountDeletion> _logger = logger;

    private Admin.AdminIndex Admins { get; } = admins;

    private AuditTrail Audit { get; } = audit;

    private Diagnostics.AuthMetrics Metrics { get; } = metrics;

    /// <summary>
    /// Deletes the account after checking the password: ends every session (every token is refused from then on),
    /// removes every other row of the user, and the account row last, so a failure halfway leaves an account that can
    /// still sign in and delete itself again.
    /// </summary>
    internal async Task<PasswordCheckedResult> DeleteAccountAsync(AuthenticatedSession caller, string? password, CancellationToken cancellationToken)
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

            if (attempt + 1 >= LostRaceRetry.MaxAttempts)
            {
                throw new StorageContentionException();
            }

            user = fresh;
        }

        var ended = await _sessions.RevokeLiveSessionsAsync(user.UserId, exceptSessionId: null, RevocationReason.AccountDeleted, _time.GetUtcNow(), cancellationToken);
        Metrics.Revoked(RevocationReason.AccountDeleted, ended);
        await _users.DeleteAllRowsButAccountAsync(user.UserId, cancellationToken);
        if (user.Roles.Split(',').Contains(Roles.Admin, StringComparer.Ordinal))
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
}
