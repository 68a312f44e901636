using FuncAuth.Core.Audit;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// Opens the session of a completed sign-in, whatever proved it (a password, a password and a second factor, a
/// passkey...): the caller names the RFC 8176 methods that were proved, and the session records them with
/// <c>auth_time</c> now. Storage: the cleanup-index write beside the query of the live sessions (for
/// <c>Auth__MaxSessionsPerUser</c>), then the session insert, then one conditional merge per session over the cap.
/// </summary>
public sealed class SignInSessions(
    IOptions<AuthOptions> options, SigningKeyRing keys, SessionStore sessions, SessionIssuer issuer, AuthMetrics metrics, Audit.AuditTrail audit,
    TimeProvider time, ILogger<SignInSessions> logger)
{
    private AuthMetrics Metrics { get; } = metrics;

    /// <summary>The audit trail the sign-in's event goes to.</summary>
    private Audit.AuditTrail Audit { get; } = audit;

    /// <summary>
    /// A new session of <paramref name="user"/> under its current security stamp, proved by <paramref name="methods"/>
    /// (<see cref="AuthMethods"/>), and its first tokens. The account must already have been checked (enabled, verified
    /// where required) by the caller.
    /// </summary>
    internal Task<(IssuedTokens Tokens, SessionEntity Session)> OpenAsync(
        UserEntity user, IReadOnlyCollection<string> methods, CancellationToken cancellationToken, Audit.AuditEventType signInEvent = FuncAuth.Core.Audit.AuditEventType.LoginSucceeded,
        IReadOnlyDictionary<string, string>? details = null) =>
        OpenAsync(user, methods, null, cancellationToken, signInEvent, details);

    /// <summary>
    /// As above; with <paramref name="grant"/>, the session of a registered OAuth client (authorization code).
    /// <paramref name="signInEvent"/> is the audit event stored beside the index write, before the session: a session
    /// never exists without the event of the sign-in that opened it (login_succeeded, mfa_succeeded, passkey_used).
    /// <paramref name="details"/> are the event's (how the sign-in was proved); a grant adds its client id.
    /// </summary>
    internal async Task<(IssuedTokens Tokens, SessionEntity Session)> OpenAsync(
        UserEntity user, IReadOnlyCollection<string> methods, ClientGrant? grant, CancellationToken cancellationToken,
        Audit.AuditEventType signInEvent = FuncAuth.Core.Audit.AuditEventType.LoginSucceeded, IReadOnlyDictionary<string, string>? details = null)
    {
        var keySet = await keys.GetAsync(cancellationToken);
        var session = issuer.Open(user.UserId, user.PartitionKey, user.SecurityStamp, methods, keySet.Current, grant);
        // The cap's query runs beside the index write, so it adds a storage call but no round trip to the sign-in's time.
        var live = sessions.LiveSessionsAsync(user.UserId, session.CreatedAt, cancellationToken);
        await Task.WhenAll(
            live, sessions.IndexAsync(user.UserId, session.SessionId, session.ExpiresAt, cancellationToken),
            Audit.RecordAsync(signInEvent, user.UserId, cancellationToken, sessionId: session.SessionId,
                details: grant is null ? details : new Dictionary<string, string>(details ?? new Dictionary<string, string>()) { ["clientId"] = grant.ClientId }));
        await sessions.InsertAsync(session, cancellationToken);
        await EndLeastRecentlyUsedAsync(user.UserId, live.Result, cancellationToken);
        return (issuer.Fresh(user.ToAccount(), session, keySet.Current), session);
    }

    /// <summary>
    /// Ends the least recently used of <paramref name="live"/> (the sessions before this sign-in's) until the new one
    /// fits under <c>Auth__MaxSessionsPerUser</c>: one conditional merge each, none below the cap. A session used since it
    /// was read is skipped (it is no longer the least recently used), and a failure is logged rather than failing a
    /// sign-in whose session is already stored: two racing sign-ins may leave the user one over the cap, which the next
    /// one corrects.
    /// </summary>
    private async Task EndLeastRecentlyUsedAsync(
        string userId, IReadOnlyList<(string SessionId, DateTimeOffset LastUsedAt, Azure.ETag Version)> live, CancellationToken cancellationToken)
    {
        var cap = options.Value.MaxSessionsPerUser;
        var excess = live.Count + 1 - cap;
        if (excess <= 0)
        {
            return;
        }

        var ended = 0;
        try
        {
            var now = time.GetUtcNow();
            foreach (var (sessionId, _, version) in live.OrderBy(s => s.LastUsedAt).ThenBy(s => s.SessionId, StringComparer.Ordinal).Take(excess))
            {
                if (await sessions.TryRevokeAsync(userId, sessionId, version, RevocationReason.SessionLimit, now, cancellationToken))
                {
                    ended++;
                }
            }
        }
        catch (Azure.RequestFailedException e)
        {
            AuthLog.SessionCapNotEnforced(logger, userId, $"{e.Status} {e.ErrorCode}");
        }

        AuthLog.SessionCapReached(logger, userId, cap, ended);
        Metrics.Revoked(RevocationReason.SessionLimit, ended);
    }
}
