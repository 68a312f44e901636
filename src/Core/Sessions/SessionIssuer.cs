using FuncAuth.Core.Accounts;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Sessions;

/// <summary>Opens and rotates sessions, and turns a session's state into the tokens that belong to it.</summary>
public sealed class SessionIssuer(IOptions<AuthOptions> options, AccessTokens accessTokens, TimeProvider time, IClientInfo? client = null)
{
    private AuthOptions Settings => options.Value;

    /// <summary>
    /// A new session of the user, recording <paramref name="securityStamp"/> (the account's stamp when its credential
    /// was checked), and what was proved to open it: <paramref name="methods"/> (RFC 8176 values, <see cref="AuthMethods"/>)
    /// with <c>auth_time</c> now; for an authorization code's session, <paramref name="grant"/> names the client, the
    /// session id the code was spent for, and when the approving session's credential was proved.
    /// </summary>
    internal SessionEntity Open(string userId, string emailKey, string securityStamp, IReadOnlyCollection<string> methods, SigningKey key, ClientGrant? grant = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(methods.Count);
        var now = time.GetUtcNow();
        var session = new SessionEntity
        {
            PartitionKey = userId,
            RowKey = SessionEntity.RowKeyFor(grant?.SessionId ?? Ids.New()),
            EmailKey = emailKey,
            CreatedAt = now,
            UserAgent = client?.UserAgent is { Length: > 0 } agent ? agent[..Math.Min(agent.Length, 256)] : null,
            SecurityStamp = securityStamp,
            // A client's session carries the proof of the sign-in the user approved it in (its auth_time, not now).
            AuthTime = grant?.ProvedAt ?? now,
            ClientId = grant?.ClientId,
            Amr = AuthMethods.Format(methods),
            Counter = 0,
        };
        Advance(session, key, now);
        session.IndexedDueAt = session.ExpiresAt;
        return session;
    }

    /// <summary>Spends the current refresh token: the next counter, a new access token id, a renewed lifetime.</summary>
    internal void Rotate(SessionEntity session, SigningKey key)
    {
        session.Counter++;
        Advance(session, key, time.GetUtcNow());
    }

    /// <summary>
    /// Records a further proof in the session: <c>auth_time</c> now, <paramref name="methods"/> merged into its
    /// <c>amr</c>, and its tokens rotated, so the tokens that did not carry the proof stop working. Write it back with
    /// its ETag to make it stick.
    /// </summary>
    internal void Reauthenticated(SessionEntity session, IReadOnlyCollection<string> methods, SigningKey key)
    {
        session.AuthTime = time.GetUtcNow();
        session.Amr = AuthMethods.Format(AuthMethods.Merge(session.Methods, methods));
        Rotate(session, key);
    }

    /// <summary>Issues a new access token for the session without rotating its refresh token.</summary>
    internal void RenewAccessToken(SessionEntity session, SigningKey key)
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
    internal IssuedTokens? Tokens(UserAccount user, SessionEntity session, SigningKeySet keys, bool issuedNow = true)
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
    internal IssuedTokens Fresh(UserAccount user, SessionEntity session, SigningKey key) =>
        Build(user, session, key, key, Settings.AccessTokenLifetime);

    private IssuedTokens Build(UserAccount user, SessionEntity session, SigningKey refreshKey, SigningKey accessKey, TimeSpan remaining)
    {
        var accessToken = accessTokens.Issue(user, session.SessionId, session.AccessTokenId, session.AccessIssuedAt, accessKey, new(session.ProvedAt, session.Methods), session.ClientId);
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
