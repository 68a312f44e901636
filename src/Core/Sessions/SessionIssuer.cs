using FuncAuth.Core.Accounts;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Sessions;

/// <summary>Opens and rotates sessions, and turns a session's state into the tokens that belong to it.</summary>
internal sealed class SessionIssuer(IOptions<AuthOptions> options, AccessTokens accessTokens, TimeProvider time, IClientInfo? client = null)
{
    private AuthOptions Settings => options.Value;

    /// <summary>A new session of the user, recording <paramref name="securityStamp"/>: the account's stamp when its password was checked.</summary>
    public SessionEntity Open(string userId, string emailKey, string securityStamp, SigningKey key, string? sessionId = null)
    {
        var now = time.GetUtcNow();
        var session = new SessionEntity
        {
            PartitionKey = userId,
            RowKey = SessionEntity.RowKeyFor(sessionId ?? Ids.New()),
            EmailKey = emailKey,
            CreatedAt = now,
            UserAgent = client?.UserAgent is { Length: > 0 } agent ? agent[..Math.Min(agent.Length, 256)] : null,
            SecurityStamp = securityStamp,
            Counter = 0,
        };
        Advance(session, key, now);
        session.IndexedDueAt = session.ExpiresAt;
        return session;
    }

    /// <summary>Spends the current refresh token: the next counter, a new access token id, a renewed lifetime.</summary>
    public void Rotate(SessionEntity session, SigningKey key)
    {
        session.Counter++;
        Advance(session, key, time.GetUtcNow());
    }

    /// <summary>Issues a new access token for the session without rotating its refresh token.</summary>
    public void RenewAccessToken(SessionEntity session, SigningKey key)
    {
        session.AccessTokenId = Ids.New();
        // Whole seconds, as in the JWT, so the same token can be rebuilt from the stored time.
        var now = time.GetUtcNow();
        session.AccessIssuedAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        session.AccessKeyId = key.Id;
    }

    /// <summary>
    /// The session's current tokens, or null when a key they were made with is no longer enabled. A token issued just now
    /// reports its full lifetime; one handed out again (reuse grace) reports what is left of it.
    /// </summary>
    public IssuedTokens? Tokens(UserAccount user, SessionEntity session, SigningKeySet keys, bool issuedNow = true)
    {
        var refreshKey = keys.Find(session.RefreshKeyId);
        var accessKey = keys.Find(session.AccessKeyId);
        if (refreshKey is null || accessKey is null || session.AccessTokenId.Length == 0)
        {
            return null;
        }

        var remaining = issuedNow ? Settings.AccessTokenLifetime : session.AccessIssuedAt + Settings.AccessTokenLifetime - time.GetUtcNow();
        return Build(user, session, refreshKey, accessKey, remaining);
    }

    /// <summary>The tokens of a session just opened or rotated with <paramref name="key"/>, which made both of them.</summary>
    public IssuedTokens Fresh(UserAccount user, SessionEntity session, SigningKey key) =>
        Build(user, session, key, key, Settings.AccessTokenLifetime);

    private IssuedTokens Build(UserAccount user, SessionEntity session, SigningKey refreshKey, SigningKey accessKey, TimeSpan remaining)
    {
        var accessToken = accessTokens.Issue(user, session.SessionId, session.AccessTokenId, session.AccessIssuedAt, accessKey, session.ClientId);
        var refreshToken = RefreshTokens.Create(new(session.PartitionKey, session.SessionId, session.Counter, refreshKey.Id), refreshKey);
        return new IssuedTokens(accessToken, Math.Max(0, (int)Math.Ceiling(remaining.TotalSeconds)), refreshToken, user);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private void Advance(SessionEntity session, SigningKey key, DateTimeOffset now)
    {
        session.RefreshKeyId = key.Id;
        session.RotatedAt = now;
        // Never past the absolute lifetime counted from the login that opened the session, however often it is refreshed.
        session.ExpiresAt = Min(now + Settings.RefreshTokenLifetime, session.CreatedAt + Settings.SessionMaxLifetime);
        RenewAccessToken(session, key);
    }
}
