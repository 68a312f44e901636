using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Accounts.Admin;

/// <summary>
/// What an admin does to an account: look it up (by id or address), set its roles, disable and enable it, end its
/// sessions. The last-admin rule holds inside the writes that could break it (demotion and disabling).
/// </summary>
public sealed class UserAdministration
{
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly SessionService _sessionService;
    private readonly ApiKeyService _apiKeys;
    private readonly AdminIndex _admins;
    private readonly TimeProvider _time;
    private readonly ILogger<UserAdministration> _logger;

    public UserAdministration(
        UserStore users,
        SessionStore sessions,
        SessionService sessionService,
        ApiKeyService apiKeys,
        AdminIndex admins,
        Diagnostics.AuthMetrics metrics,
        AuditTrail audit,
        TimeProvider time,
        ILogger<UserAdministration> logger)
    {
        _admins = admins;
        _users = users;
        _sessions = sessions;
        _sessionService = sessionService;
        _apiKeys = apiKeys;
        Metrics = metrics;
        Audit = audit;
        _time = time;
        _logger = logger;
    }

    private Diagnostics.AuthMetrics Metrics { get; }

    private AuditTrail Audit { get; }

    /// <summary>The account with this id, or null.</summary>
    public async Task<UserAccount?> GetAsync(string userId, CancellationToken cancellationToken) =>
        (await FindAsync(userId, cancellationToken))?.ToAccount();

    /// <summary>Exact, case-insensitive lookup: one point read.</summary>
    public async Task<UserAccount?> FindByEmailAsync(string? email, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email) || !TextRules.IsValidUtf16(email))
        {
            return null;
        }

        return (await _users.FindByEmailKeyAsync(EmailAddress.StorageKey(EmailAddress.Normalize(email)), cancellationToken))?.ToAccount();
    }

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
            Metrics.AdminAction("disable");
            Metrics.Revoked(RevocationReason.AccountDisabled, ended);
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
            Metrics.AdminAction("enable");
        }

        return result;
    }

    /// <summary>
    /// Sets the roles, then makes every current access token of the user unacceptable (their refresh tokens keep
    /// working and bring the new roles). Taking admin away from the last enabled admin is refused, also when two admins
    /// demote each other at once (<see cref="AdminIndex"/>). Idempotent: after a failure the admin repeats the call.
    /// </summary>
    public async Task<SetRolesResult> SetRolesAsync(string adminId, string userId, IReadOnlyList<string?>? roles, CancellationToken cancellationToken)
    {
        var errors = Validation.RoleList(roles);
        if (errors.Count > 0)
        {
            return new SetRolesResult.Invalid(errors);
        }

        var canonical = string.Join(',', Roles.Canonical(roles!.OfType<string>()));
        if (await ReleaseAdminUnlessLastAsync(userId, roles!.OfType<string>(), cancellationToken))
        {
            return new SetRolesResult.LastAdmin();
        }

        AuditEvent? audit = null;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var user = await FindAsync(userId, cancellationToken);
            if (user is null)
            {
                return new SetRolesResult.NotFound();
            }

            audit ??= Audit.Event(AuditEventType.RolesChanged, userId, actor: adminId,
                details: new Dictionary<string, string> { ["roles"] = canonical, ["previousRoles"] = user.Roles });
            await Audit.RecordAsync(audit, cancellationToken);
            user.Roles = canonical;
            if (await _users.TryReplaceAsync(user, cancellationToken))
            {
                // A removal of admin was taken from the index before the write (ReleaseAdminUnlessLastAsync).
                await _admins.ListIfAdminAsync(user, cancellationToken);
                var sessions = await _sessions.RevokeAccessTokensAsync(userId, cancellationToken);
                AuthLog.RolesChanged(_logger, adminId, userId, canonical, sessions);
                Metrics.AdminAction("set_roles");
                return new SetRolesResult.Updated(user.ToAccount());
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>Ends every session of the user and, with <paramref name="apiKeys"/>, revokes every API key. False when there is no such user.</summary>
    public async Task<bool> ForceLogoutAsync(string adminId, string userId, bool apiKeys, CancellationToken cancellationToken)
    {
        if (!await _sessionService.ForceLogoutAsync(adminId, userId, cancellationToken, apiKeys))
        {
            return false;
        }

        if (apiKeys)
        {
            await _apiKeys.RevokeAllForUserAsync(userId, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Before <c>admin</c> is taken away from this user: takes them out of the enabled admins, unless that would leave
    /// none (then true, and nothing changes). Safe under concurrency: of two admins demoting each other at once, one
    /// stays (<see cref="AdminIndex"/>).
    /// </summary>
    private async Task<bool> ReleaseAdminUnlessLastAsync(string userId, IEnumerable<string> newRoles, CancellationToken cancellationToken)
    {
        if (newRoles.Contains(Roles.Admin, StringComparer.Ordinal) || !await IsEnabledAdminAsync(userId, cancellationToken))
        {
            return false;
        }

        return !await _admins.TryUnlistAsync(userId, cancellationToken);
    }

    private async Task<bool> IsEnabledAdminAsync(string userId, CancellationToken cancellationToken) =>
        await FindAsync(userId, cancellationToken) is { Disabled: false } user && IsAdmin(user);

    private static bool IsAdmin(UserEntity user) => user.Roles.Split(',').Contains(Roles.Admin, StringComparer.Ordinal);

    private async Task<AdminChangeResult> SetDisabledAsync(string adminId, string userId, bool disabled, CancellationToken cancellationToken)
    {
        AuditEvent? audit = null;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var user = await FindAsync(userId, cancellationToken);
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
            audit ??= Audit.Event(disabled ? AuditEventType.UserDisabled : AuditEventType.UserEnabled, userId, actor: adminId);
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

    private async Task<UserEntity?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var emailKey = await _users.FindEmailKeyAsync(userId, cancellationToken);
        return emailKey is null ? null : await _users.FindByEmailKeyAsync(emailKey, cancellationToken);
    }
}
