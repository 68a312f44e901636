using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Accounts.Admin;

/// <summary>Admin operations added in v2: lookup by address, disable and enable, and the last-admin rule.</summary>
public sealed class UserAdministration
{
    private const int MaxAttempts = 5;

    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly ApiKeyService _apiKeys;
    private readonly AdminIndex _admins;
    private readonly TimeProvider _time;
    private readonly ILogger<UserAdministration> _logger;

    internal UserAdministration(UserStore users, SessionStore sessions, ApiKeyService apiKeys, AdminIndex admins, TimeProvider time, ILogger<UserAdministration> logger)
    {
        _admins = admins;
        _users = users;
        _sessions = sessions;
        _apiKeys = apiKeys;
        _time = time;
        _logger = logger;
    }

    /// <summary>Exact, case-insensitive lookup: one point read.</summary>
    public async Task<UserAccount?> FindByEmailAsync(string? email, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email) || !TextRules.IsValidUtf16(email))
        {
            return null;
        }

        return (await _users.FindByEmailKeyAsync(EmailAddress.StorageKey(EmailAddress.Normalize(email)), cancellationToken))?.ToAccount();
    }

    /// <summary>Counters of the auth events; set by the service registration.</summary>
    internal Diagnostics.AuthMetrics? Metrics { get; init; }

    /// <summary>The audit trail; each operation records its event before its change.</summary>
    internal AuditTrail? Audit { get; init; }

    /// <summary>
    /// Disables the account (with a new security stamp, stored before the sweep so a login racing it cannot keep a
    /// session), then ends every session and revokes every API key. Idempotent: after a failure the admin repeats the call.
    /// </summary>
    public async Task<AdminChangeResult> DisableAsync(string adminId, string userId, CancellationToken cancellationToken)
    {
        if (adminId == userId)
        {
            return new AdminChangeResult.CannotDisableSelf();
        }

        var result = await SetDisabledAsync(adminId, userId, disabled: true, cancellationToken);
        if (result is AdminChangeResult.Updated)
        {
            var ended = await _sessions.RevokeLiveSessionsAsync(userId, exceptSessionId: null, RevocationReason.AccountDisabled, _time.GetUtcNow(), cancellationToken);
            // A disabled account's machine clients stop too: its keys, and with them every token issued to them.
            await _apiKeys.RevokeAllForUserAsync(userId, cancellationToken);
            LifecycleLog.Disabled(_logger, adminId, userId, ended);
            Metrics?.AdminAction("disable");
            Metrics?.Revoked(RevocationReason.AccountDisabled, ended);
        }

        return result;
    }

    public async Task<AdminChangeResult> EnableAsync(string adminId, string userId, CancellationToken cancellationToken)
    {
        var result = await SetDisabledAsync(adminId, userId, disabled: false, cancellationToken);
        if (result is AdminChangeResult.Updated { User: var user })
        {
            if (user.Roles.Contains(Roles.Admin, StringComparer.Ordinal))
            {
                await _admins.ListAsync(userId, cancellationToken);
            }

            LifecycleLog.Enabled(_logger, adminId, userId);
            Metrics?.AdminAction("enable");
        }

        return result;
    }

    /// <summary>
    /// Before <c>admin</c> is taken away from this user: takes them out of the enabled admins, unless that would leave
    /// none (then true, and nothing changes). Safe under concurrency: of two admins demoting each other at once, one
    /// stays (<see cref="AdminIndex"/>).
    /// </summary>
    public async Task<bool> ReleaseAdminUnlessLastAsync(string userId, IEnumerable<string> newRoles, CancellationToken cancellationToken)
    {
        if (newRoles.Contains(Roles.Admin, StringComparer.Ordinal) || !await IsEnabledAdminAsync(userId, cancellationToken))
        {
            return false;
        }

        return !await _admins.TryUnlistAsync(userId, cancellationToken);
    }

    private async Task<bool> IsEnabledAdminAsync(string userId, CancellationToken cancellationToken) =>
        await GetAsync(userId, cancellationToken) is { Disabled: false } user && IsAdmin(user);

    private static bool IsAdmin(UserEntity user) => user.Roles.Split(',').Contains(Roles.Admin, StringComparer.Ordinal);

    private async Task<AdminChangeResult> SetDisabledAsync(string adminId, string userId, bool disabled, CancellationToken cancellationToken)
    {
        AuditEvent? audit = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var user = await GetAsync(userId, cancellationToken);
            if (user is null)
            {
                return new AdminChangeResult.NotFound();
            }

            if (user.Disabled == disabled)
            {
                // Set already, perhaps by an earlier try of this call that failed before the profile copy was written.
                await _users.CopyProfileAsync(user, known: null, cancellationToken);
                return new AdminChangeResult.Updated(user.ToAccount());
            }

            if (disabled && IsAdmin(user) && !await _admins.TryUnlistAsync(userId, cancellationToken))
            {
                // Only when two admins disable each other at once: one of them stays.
                return new AdminChangeResult.LastAdmin();
            }

            // Before the change; a repeated call that finds it set already recorded nothing new (the first call did).
            audit ??= Audit?.Event(disabled ? AuditEventType.UserDisabled : AuditEventType.UserEnabled, userId, actor: adminId);
            await Audit.RecordAsync(audit, cancellationToken);
            user.Disabled = disabled;
            if (disabled)
            {
                user.SecurityStamp = Ids.New();
            }

            if (await _users.TryReplaceAsync(user, cancellationToken))
            {
                return new AdminChangeResult.Updated(user.ToAccount());
            }
        }

        throw new StorageContentionException();
    }

    private async Task<UserEntity?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var emailKey = await _users.FindEmailKeyAsync(userId, cancellationToken);
        return emailKey is null ? null : await _users.FindByEmailKeyAsync(emailKey, cancellationToken);
    }
}
