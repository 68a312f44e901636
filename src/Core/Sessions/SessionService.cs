using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// A user's sessions, from first to last: login (the failed-login limits and the hash slot of <see cref="LoginGuard"/>,
/// the password check of <see cref="AccountService"/>, the session <see cref="SignInSessions"/> opens), refresh-token
/// rotation with reuse detection, access-token authentication, the list of live sessions, ending one, logout and
/// force-logout.
/// </summary>
public sealed class SessionService
{
    private readonly IOptions<AuthOptions> _options;
    private readonly SigningKeyRing _keys;
    private readonly AccessTokens _accessTokens;
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly SessionIssuer _issuer;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionService> _logger;
    private readonly LoginGuard _logins;

    public SessionService(
        IOptions<AuthOptions> options,
        SigningKeyRing keys,
        AccessTokens accessTokens,
        UserStore users,
        SessionStore sessions,
        SessionIssuer issuer,
        TimeProvider time,
        ILogger<SessionService> logger,
        AuthMetrics metrics,
        AuditTrail audit,
        IOptions<StorageOptions> storage,
        LoginGuard logins)
    {
        _logins = logins;
        Metrics = metrics;
        LateWriteAfter = storage.Value.RequestDeadline;
        Audit = audit;
        _options = options;
        _keys = keys;
        _accessTokens = accessTokens;
        _users = users;
        _sessions = sessions;
        _issuer = issuer;
        _time = time;
        _logger = logger;
    }

    /// <summary>Counters of the auth events.</summary>
    private AuthMetrics Metrics { get; }

    /// <summary>The audit trail; each operation records its event before its change.</summary>
    private AuditTrail Audit { get; }

    /// <summary>
    /// Signs in with an email and a password: every password login (the login endpoint, the OAuth password grant) enters
    /// here. The guess takes its counts from the failed-login limits before the password is checked, then waits for a
    /// hash slot; a login that succeeds opens a session, or answers that the second factor is needed.
    /// </summary>
    /// <param name="clientAddress">The caller's address key, as the HTTP edge resolved it; null skips the per-address limit.</param>
    public Task<GuardedLoginResult> LoginAsync(string? email, string? password, string? clientAddress, CancellationToken cancellationToken) =>
        _logins.LoginAsync(email, password, clientAddress, cancellationToken);

    /// <summary>
    /// Rotates the session's refresh token. Racing rotations are settled by the session's ETag: the loser reads the
    /// session again and, inside the reuse interval, receives what the winner received. A token older than that is
    /// theft, and the whole session ends.
    /// </summary>
    public async Task<RefreshResult> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        var result = await RefreshOnceAsync(refreshToken, cancellationToken);
        Metrics.Refresh(result switch
        {
            RefreshResult.Issued { Rotated: true } => RefreshOutcome.Rotated,
            RefreshResult.Issued => RefreshOutcome.Grace,
            RefreshResult.Reused => RefreshOutcome.Reused,
            RefreshResult.Expired => RefreshOutcome.Expired,
            RefreshResult.Invalid => RefreshOutcome.Invalid,
            _ => throw new UnreachableException(),
        });
        if (result is RefreshResult.Reused { SessionEnded: true })
        {
            Metrics.ReuseDetected();
            Metrics.Revoked(RevocationReason.RefreshTokenReused, 1);
        }

        return result;
    }

    private async Task<RefreshResult> RefreshOnceAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken);
        var presented = RefreshTokens.Verify(refreshToken, keys);
        if (presented is null && RefreshTokens.KeyIdOf(refreshToken) is { } keyId && keys.Find(keyId) is null)
        {
            keys = await _keys.GetWithKeyAsync(keyId, cancellationToken);
            presented = RefreshTokens.Verify(refreshToken, keys);
        }

        if (presented is null)
        {
            return new RefreshResult.Invalid();
        }

        AuditEvent? reuseEvent = null;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var (session, user) = await _sessions.GetWithUserAsync(presented.UserId, presented.SessionId, cancellationToken);
            if (session is null || user is null)
            {
                return new RefreshResult.Invalid();
            }

            var now = _time.GetUtcNow();
            var graceStart = RefreshRule.GraceStart(session.RotatedAt, session.Timestamp, LateWriteAfter);
            switch (RefreshRule.Decide(session, presented.Counter, graceStart, now, _options.Value.RefreshReuseInterval))
            {
                case RefreshVerdict.Revoked or RefreshVerdict.CounterAhead:
                    return new RefreshResult.Invalid();
                case RefreshVerdict.Expired:
                    return new RefreshResult.Expired();
                case RefreshVerdict.SpentAfterReuse:
                    return new RefreshResult.Reused();
                case RefreshVerdict.RevokeForReuse reuse:
                    // Only here, where a session ends for reuse: a rotation or a grace answer records nothing (the trail
                    // adds no storage call to refresh).
                    reuseEvent ??= Audit.Event(AuditEventType.RefreshTokenReused, session.PartitionKey, actor: AuditTrail.SystemActor, sessionId: session.SessionId,
                        details: new Dictionary<string, string> { ["behind"] = reuse.Behind.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    await Audit.RecordAsync(reuseEvent, cancellationToken);
                    session.Revoke(RevocationReason.RefreshTokenReused, now);
                    if (await _sessions.TryReplaceAsync(session, cancellationToken))
                    {
                        AuthLog.RefreshTokenReused(_logger, session.PartitionKey, session.SessionId, reuse.Behind);
                        return new RefreshResult.Reused { SessionEnded = true };
                    }

                    continue;
                case RefreshVerdict.Rotate:
                    if (await TryIssueAsync(session, user, keys, rotate: true, cancellationToken) is { } rotated)
                    {
                        return rotated;
                    }

                    continue;
                case RefreshVerdict.Grace:
                    if (await TryIssueAsync(session, user, keys, rotate: false, cancellationToken) is { } answered)
                    {
                        return answered;
                    }

                    continue;
                default:
                    throw new UnreachableException();
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// Applies a rotation or a grace answer; null when another request changed the session first (read it again).
    /// Roles and email in the access token are the account's as they are now: the profile copy read with the session.
    /// </summary>
    private async Task<RefreshResult?> TryIssueAsync(SessionEntity session, UserRefEntity userRow, SigningKeySet keys, bool rotate, CancellationToken cancellationToken)
    {
        var profile = await ProfileOfAsync(userRow, cancellationToken);
        if (profile is null || !Admits(profile, session))
        {
            return new RefreshResult.Invalid();
        }

        var user = profile.ToAccount();

        if (rotate)
        {
            _issuer.Rotate(session, keys.Current);
        }
        else if (session.AccessTokenId.Length == 0 || keys.Find(session.AccessKeyId) is null)
        {
            // Inside the grace interval, but the winner's access token was revoked by a role change since.
            _issuer.RenewAccessToken(session, keys.Current);
        }
        else
        {
            var tokens = _issuer.Tokens(user, session, keys, issuedNow: false);
            AuthLog.RefreshGraceAnswered(_logger, session.PartitionKey, session.SessionId);
            return tokens is null ? new RefreshResult.Invalid() : new RefreshResult.Issued(tokens);
        }

        if (!await _sessions.TryReplaceAsync(session, cancellationToken))
        {
            return null;
        }

        if (rotate)
        {
            AuthLog.Refreshed(_logger, session.PartitionKey, session.SessionId, session.Counter);
            return new RefreshResult.Issued(_issuer.Fresh(user, session, keys.Current)) { Rotated = true };
        }

        // The refresh token is still the one the winner was given, possibly under an older key.
        var renewed = _issuer.Tokens(user, session, keys);
        return renewed is null ? new RefreshResult.Invalid() : new RefreshResult.Issued(renewed);
    }

    /// <summary>
    /// The profile copy; for a user row stored before the copy (or its stamp) existed, the account itself as a copy (one
    /// point read, filling the stored copy in for the next reader). Null when the account is gone.
    /// </summary>
    private async Task<UserRefEntity?> ProfileOfAsync(UserRefEntity userRow, CancellationToken cancellationToken) =>
        userRow.HasProfile ? userRow
        : await _users.FindAndFillCopyAsync(userRow, cancellationToken) is { } user && user.UserId == userRow.PartitionKey ? UserRefEntity.Of(user) : null;

    /// <summary>
    /// A session stands only while the account is enabled and its security stamp is the one the session was
    /// proved under. Read from the row that came with the session, so the check costs no storage call of its own.
    /// </summary>
    private bool Admits(UserRefEntity profile, SessionEntity session)
    {
        if (profile.Admits(session.SecurityStamp))
        {
            return true;
        }

        CredentialLog.SessionStale(_logger, session.PartitionKey, session.SessionId);
        return false;
    }

    /// <summary>
    /// A rotation stored later than this after the app made it was applied after its request had given up (the request
    /// deadline, <c>Storage__RequestDeadline</c>): the client was answered 503 and still holds the old token, so the grace
    /// starts when it was stored (<see cref="RefreshRule.GraceStart"/>).
    /// </summary>
    private TimeSpan LateWriteAfter { get; }

    /// <summary>Validates an access token, then checks its session is live and the token is the session's current one.</summary>
    public async Task<AuthenticationResult> AuthenticateAsync(string? accessToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accessToken))
        {
            return new AuthenticationResult.Missing();
        }

        var check = await _accessTokens.ValidateAsync(accessToken, cancellationToken);
        if (check is not { Status: AccessTokenStatus.Valid, Claims: { } claims })
        {
            return check.Status == AccessTokenStatus.Expired ? new AuthenticationResult.Expired() : new AuthenticationResult.Invalid();
        }

        return await AuthenticateAsync(claims, cancellationToken);
    }

    /// <summary>
    /// The session check of <see cref="AuthenticateAsync(string?, CancellationToken)"/> for a token already validated
    /// (<see cref="AccessTokens.ValidateAsync"/>): its session is live and the token is the session's current one.
    /// </summary>
    public async Task<AuthenticationResult> AuthenticateAsync(AccessTokenClaims claims, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (!Ids.IsValid(claims.Subject) || !Ids.IsValid(claims.SessionId))
        {
            return new AuthenticationResult.Invalid();
        }

        var (session, user) = await _sessions.GetWithUserAsync(claims.Subject, claims.SessionId, cancellationToken);
        if (session is null || user is null || session.Revoked || _time.GetUtcNow() >= session.ExpiresAt
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(session.AccessTokenId), Encoding.ASCII.GetBytes(claims.TokenId)))
        {
            return new AuthenticationResult.Revoked();
        }

        var profile = await ProfileOfAsync(user, cancellationToken);
        if (profile is null || !Admits(profile, session))
        {
            return new AuthenticationResult.Revoked();
        }

        var stamp = session.SecurityStamp.Length > 0 ? session.SecurityStamp : profile.SecurityStamp;
        return new AuthenticationResult.Authenticated(new AuthenticatedSession(
            claims.Subject, claims.SessionId, claims.Roles, session.EmailKey, session.ETag, profile, stamp, new(session.ProvedAt, session.Methods)));
    }

    /// <summary>Ends the caller's session, all of the user's sessions, or all but the caller's. Returns how many ended.</summary>
    public async Task<int> LogoutAsync(AuthenticatedSession caller, LogoutScope scope, CancellationToken cancellationToken)
    {
        await Audit.RecordAsync(AuditEventType.Logout, caller.UserId, cancellationToken, sessionId: caller.SessionId,
            details: new Dictionary<string, string> { ["scope"] = scope.ToString().ToLowerInvariant() });
        var ended = scope switch
        {
            LogoutScope.Local => await EndOwnSessionAsync(caller, cancellationToken),
            LogoutScope.Global => await EndSessionsAsync(caller.UserId, exceptSessionId: null, RevocationReason.LogoutGlobal, cancellationToken),
            LogoutScope.Others => await EndSessionsAsync(caller.UserId, caller.SessionId, RevocationReason.LogoutOthers, cancellationToken),
            _ => throw new UnreachableException(),
        };
        AuthLog.LoggedOut(_logger, caller.UserId, caller.SessionId, scope, ended);
        Metrics.Revoked(scope switch { LogoutScope.Global => RevocationReason.LogoutGlobal, LogoutScope.Others => RevocationReason.LogoutOthers, _ => RevocationReason.Logout }, ended);
        return ended;
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
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var session = await _sessions.GetAsync(caller.UserId, sessionId, cancellationToken);
            if (session is null || session.Revoked || session.ExpiresAt <= _time.GetUtcNow())
            {
                return false;
            }

            // A logout of one other device, from the sessions list: the event is in the caller's session, the ended one named.
            audit ??= Audit.Event(AuditEventType.Logout, caller.UserId, sessionId: caller.SessionId,
                details: new Dictionary<string, string> { ["scope"] = "session", ["endedSessionId"] = sessionId });
            await Audit.RecordAsync(audit, cancellationToken);
            session.Revoke(RevocationReason.SessionDeleted, _time.GetUtcNow());
            if (await _sessions.TryReplaceAsync(session, cancellationToken))
            {
                LifecycleLog.SessionEnded(_logger, caller.UserId, sessionId);
                Metrics.Revoked(RevocationReason.SessionDeleted, 1);
                return true;
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// Ends every session of the user. False when there is no such user. <paramref name="apiKeys"/>: the caller revokes
    /// the user's API keys as well (recorded in the event's details).
    /// </summary>
    public async Task<bool> ForceLogoutAsync(string adminId, string userId, CancellationToken cancellationToken, bool apiKeys = false)
    {
        if (await _users.FindEmailKeyAsync(userId, cancellationToken) is null)
        {
            return false;
        }

        await Audit.RecordAsync(AuditEventType.ForceLogout, userId, cancellationToken, actor: adminId,
            details: new Dictionary<string, string> { ["apiKeys"] = apiKeys ? "true" : "false" });

        var ended = await EndSessionsAsync(userId, exceptSessionId: null, RevocationReason.ForceLogout, cancellationToken);
        AuthLog.ForcedLogout(_logger, adminId, userId, ended);
        Metrics.AdminAction("force_logout");
        Metrics.Revoked(RevocationReason.ForceLogout, ended);
        return true;
    }

    private async Task<int> EndOwnSessionAsync(AuthenticatedSession caller, CancellationToken cancellationToken)
    {
        var version = caller.Version;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            if (await _sessions.TryRevokeAsync(caller.UserId, caller.SessionId, version, RevocationReason.Logout, _time.GetUtcNow(), cancellationToken))
            {
                return 1;
            }

            // Changed since authentication (a refresh, say): read it again and end what is there now.
            var fresh = await _sessions.GetAsync(caller.UserId, caller.SessionId, cancellationToken);
            if (fresh is null || fresh.Revoked)
            {
                return 0;
            }

            version = fresh.ETag;
        }

        throw new StorageContentionException();
    }

    private Task<int> EndSessionsAsync(string userId, string? exceptSessionId, RevocationReason reason, CancellationToken cancellationToken) =>
        _sessions.RevokeLiveSessionsAsync(userId, exceptSessionId, reason, _time.GetUtcNow(), cancellationToken);
}
