using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// Token revocation (RFC 7009): a refresh token or an access token ends its session, through the same logout path as
/// <c>/api/auth/logout</c>. Anything else is ignored, so the caller's answer does not depend on the token.
/// </summary>
public sealed class TokenRevocation
{
    private readonly SigningKeyRing _keys;
    private readonly SessionStore _store;
    private readonly SessionService _sessions;

    public TokenRevocation(SigningKeyRing keys, SessionStore store, SessionService sessions)
    {
        _keys = keys;
        _store = store;
        _sessions = sessions;
    }

    /// <summary>Ends the session behind <paramref name="token"/>. True when a session ended.</summary>
    public async Task<bool> RevokeAsync(string token, string? tokenTypeHint, CancellationToken cancellationToken)
    {
        // The hint only says which kind to try first (RFC 7009 §2.1): the other is still tried.
        return tokenTypeHint == "access_token"
            ? await RevokeAccessTokenAsync(token, cancellationToken) || await RevokeRefreshTokenAsync(token, cancellationToken)
            : await RevokeRefreshTokenAsync(token, cancellationToken) || await RevokeAccessTokenAsync(token, cancellationToken);
    }

    private async Task<bool> RevokeAccessTokenAsync(string token, CancellationToken cancellationToken)
    {
        // Only a token FuncAuth would accept right now ends anything: a spent or expired one has no power left to take.
        return await _sessions.AuthenticateAsync(token, cancellationToken) is AuthenticationResult.Authenticated authenticated
            && await _sessions.LogoutAsync(authenticated.Session, LogoutScope.Local, cancellationToken) > 0;
    }

    private async Task<bool> RevokeRefreshTokenAsync(string token, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken);
        var parts = RefreshTokens.Verify(token, keys);
        if (parts is null && RefreshTokens.KeyIdOf(token) is { } keyId && keys.Find(keyId) is null)
        {
            parts = RefreshTokens.Verify(token, await _keys.GetWithKeyAsync(keyId, cancellationToken));
        }

        if (parts is null)
        {
            return false;
        }

        // Any token the session issued (the current one or a spent one) may end it: a spent token presented at the
        // refresh endpoint would end it too, as reuse. A counter ahead of the session was never issued.
        var session = await _store.GetAsync(parts.UserId, parts.SessionId, cancellationToken);
        if (session is null || session.Revoked || parts.Counter > session.Counter)
        {
            return false;
        }

        var caller = new AuthenticatedSession(parts.UserId, parts.SessionId, [], session.EmailKey, session.ETag, userRow: null);
        return await _sessions.LogoutAsync(caller, LogoutScope.Local, cancellationToken) > 0;
    }
}
