using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Sessions;

/// <summary>Refresh-token rotation with reuse detection, access-token authentication, logout and force-logout.</summary>
public sealed class SessionService
{
    private const int MaxAttempts = 5;
    private const string ReusedReason = "refresh_token_reused";

    private readonly IOptions<AuthOptions> _options;
    private readonly SigningKeyRing _keys;
    private readonly AccessTokens _accessTokens;
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly SessionIssuer _issuer;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionService> _logger;

    internal SessionService(
        IOptions<AuthOptions> options,
        SigningKeyRing keys,
        AccessTokens accessTokens,
        UserStore users,
        SessionStore sessions,
        SessionIssuer issuer,
        TimeProvider time,
        ILogger<SessionService> logger)
    {
        _options = options;
        _keys = keys;
        _accessTokens = accessTokens;
        _users = users;
        _sessions = sessions;
        _issuer = issuer;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Rotates the session's refresh token. Racing rotations are settled by the session's ETag: the loser reads the
    /// session again and, inside the reuse interval, receives what the winner received. A token older than that is
    /// theft, and the whole session ends.
    /// </summary>
    public async Task<RefreshResult> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
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
            return new(RefreshStatus.Invalid);
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var session = await _sessions.GetAsync(presented.UserId, presented.SessionId, cancellationToken);
            var now = _time.GetUtcNow();
            if (session is null || session.Revoked)
            {
                // A spent token of a session that reuse ended is still reuse: racing presentations of one token all get
                // the same answer, whichever of them ended the session.
                return session is { RevokedReason: ReusedReason } && presented.Counter < session.Counter
                    ? new(RefreshStatus.Reused)
                    : new(RefreshStatus.Invalid);
            }

            if (now >= session.ExpiresAt)
            {
                return new(RefreshStatus.Expired);
            }

            if (presented.Counter > session.Counter)
            {
                return new(RefreshStatus.Invalid);
            }

            if (presented.Counter < session.Counter
                && !(presented.Counter == session.Counter - 1 && now - GraceStart(session) < _options.Value.RefreshReuseInterval))
            {
                session.Revoked = true;
                session.RevokedAt = now;
                session.RevokedReason = ReusedReason;
                if (await _sessions.TryReplaceAsync(session, cancellationToken))
                {
                    AuthLog.RefreshTokenReused(_logger, session.PartitionKey, session.SessionId, session.Counter - presented.Counter);
                    return new(RefreshStatus.Reused);
                }

                continue;
            }

            var user = await _users.FindByEmailKeyAsync(session.EmailKey, cancellationToken);
            if (user is null)
            {
                return new(RefreshStatus.Invalid);
            }

            var current = presented.Counter == session.Counter;
            if (current)
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
                var tokens = _issuer.Tokens(user.ToAccount(), session, keys, issuedNow: false);
                AuthLog.RefreshGraceAnswered(_logger, session.PartitionKey, session.SessionId);
                return tokens is null ? new(RefreshStatus.Invalid) : new(RefreshStatus.Issued, tokens);
            }

            if (await _sessions.TryReplaceAsync(session, cancellationToken))
            {
                var tokens = _issuer.Tokens(user.ToAccount(), session, keys);
                if (current)
                {
                    AuthLog.Refreshed(_logger, session.PartitionKey, session.SessionId, session.Counter);
                }

                return tokens is null ? new(RefreshStatus.Invalid) : new(RefreshStatus.Issued, tokens);
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// A rotation stored later than this after the app made it was applied after its request had given up (the request
    /// deadline, <c>Storage__RequestDeadline</c>): the client was answered 503 and still holds the old token.
    /// </summary>
    internal TimeSpan LateWriteAfter { get; init; } = TimeSpan.MaxValue;

    /// <summary>
    /// When the reuse grace of the session's last rotation began. Normally when the app made the rotation; but a paused
    /// or overloaded storage server applies a write it received late, after the request hit its deadline, and the
    /// client's retry of its old token must still find the grace open, or a hung dependency would end its session. So a
    /// rotation stored (the entity's Timestamp) more than <see cref="LateWriteAfter"/> after it was made starts the grace
    /// when it was stored; at most <see cref="MaxStoreDelay"/> later, so differing clocks cannot stretch it further.
    /// </summary>
    private DateTimeOffset GraceStart(SessionEntity session) =>
        session.Timestamp is { } stored && stored - session.RotatedAt > LateWriteAfter && stored - session.RotatedAt <= MaxStoreDelay
            ? stored
            : session.RotatedAt;

    private static readonly TimeSpan MaxStoreDelay = TimeSpan.FromMinutes(1);

    /// <summary>Validates an access token, then checks its session is live and the token is the session's current one.</summary>
    public async Task<AuthenticationResult> AuthenticateAsync(string? accessToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accessToken))
        {
            return new(AuthenticationStatus.Missing);
        }

        var check = await _accessTokens.ValidateAsync(accessToken, cancellationToken);
        if (check.Status != AccessTokenStatus.Valid)
        {
            return new(check.Status == AccessTokenStatus.Expired ? AuthenticationStatus.Expired : AuthenticationStatus.Invalid);
        }

        var claims = check.Claims!;
        if (!Ids.IsValid(claims.Subject) || !Ids.IsValid(claims.SessionId))
        {
            return new(AuthenticationStatus.Invalid);
        }

        var session = await _sessions.GetAsync(claims.Subject, claims.SessionId, cancellationToken);
        if (session is null || session.Revoked || _time.GetUtcNow() >= session.ExpiresAt
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(session.AccessTokenId), Encoding.ASCII.GetBytes(claims.TokenId)))
        {
            return new(AuthenticationStatus.Revoked);
        }

        return new(AuthenticationStatus.Authenticated, new AuthenticatedSession(claims.Subject, claims.SessionId, claims.Roles, session));
    }

    /// <summary>Ends the caller's session, all of the user's sessions, or all but the caller's. Returns how many ended.</summary>
    public async Task<int> LogoutAsync(AuthenticatedSession caller, LogoutScope scope, CancellationToken cancellationToken)
    {
        var ended = scope switch
        {
            LogoutScope.Local => await EndSessionAsync(caller.Entity, cancellationToken),
            LogoutScope.Global => await EndSessionsAsync(caller.UserId, exceptSessionId: null, "logout_global", cancellationToken),
            _ => await EndSessionsAsync(caller.UserId, caller.SessionId, "logout_others", cancellationToken),
        };
        AuthLog.LoggedOut(_logger, caller.UserId, caller.SessionId, scope, ended);
        return ended;
    }

    /// <summary>Ends every session of the user. False when there is no such user.</summary>
    public async Task<bool> ForceLogoutAsync(string adminId, string userId, CancellationToken cancellationToken)
    {
        if (await _users.FindEmailKeyAsync(userId, cancellationToken) is null)
        {
            return false;
        }

        var ended = await EndSessionsAsync(userId, exceptSessionId: null, "force_logout", cancellationToken);
        AuthLog.ForcedLogout(_logger, adminId, userId, ended);
        return true;
    }

    private async Task<int> EndSessionAsync(SessionEntity session, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (session.Revoked)
            {
                return 0;
            }

            session.Revoked = true;
            session.RevokedAt = _time.GetUtcNow();
            session.RevokedReason = "logout";
            if (await _sessions.TryReplaceAsync(session, cancellationToken))
            {
                return 1;
            }

            // Changed since authentication (a refresh, say): read it again and end what is there now.
            var fresh = await _sessions.GetAsync(session.PartitionKey, session.SessionId, cancellationToken);
            if (fresh is null)
            {
                return 0;
            }

            session = fresh;
        }

        throw new StorageContentionException();
    }

    private Task<int> EndSessionsAsync(string userId, string? exceptSessionId, string reason, CancellationToken cancellationToken) =>
        _sessions.UpdateLiveSessionsAsync(
            userId,
            exceptSessionId,
            new Dictionary<string, object?>
            {
                [nameof(SessionEntity.Revoked)] = true,
                [nameof(SessionEntity.RevokedAt)] = _time.GetUtcNow(),
                [nameof(SessionEntity.RevokedReason)] = reason,
            },
            cancellationToken);
}
