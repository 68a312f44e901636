using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Options;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace FuncAuth.Core.OAuth;

/// <summary>
/// The authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636, RFC 9700): a request kept server-side while the
/// user signs in, the user's decision turning it into a single-use code, and the code's redemption opening a session.
/// Each step is one point read and one conditional write of the request's row (docs/api.md lists the calls).
/// </summary>
public sealed partial class AuthorizationService
{
    /// <summary>How long the user has to sign in and decide (RFC 6749 leaves it open; docs/api.md states 10 minutes).</summary>
    public static readonly TimeSpan RequestLifetime = TimeSpan.FromMinutes(10);

    private readonly IOptions<AuthOptions> _auth;
    private readonly IOptions<OAuthOptions> _oauth;
    private readonly AuthorizationRequestStore _requests;
    private readonly SigningKeyRing _keys;
    private readonly SessionStore _sessions;
    private readonly UserStore _users;
    private readonly SignInSessions _signIn;
    private readonly IdTokens _idTokens;
    private readonly TimeProvider _time;
    private readonly ILogger<AuthorizationService> _logger;

    public AuthorizationService(
        IOptions<AuthOptions> auth,
        IOptions<OAuthOptions> oauth,
        AuthorizationRequestStore requests,
        SigningKeyRing keys,
        SessionStore sessions,
        UserStore users,
        SignInSessions signIn,
        IdTokens idTokens,
        TimeProvider time,
        ILogger<AuthorizationService> logger)
    {
        _auth = auth;
        _oauth = oauth;
        _requests = requests;
        _keys = keys;
        _sessions = sessions;
        _users = users;
        _signIn = signIn;
        _idTokens = idTokens;
        _time = time;
        _logger = logger;
    }

    /// <summary>Keeps a checked request for <see cref="RequestLifetime"/>; returns its id (one storage call).</summary>
    public async Task<string> StartAsync(AuthorizationRequest request, CancellationToken cancellationToken)
    {
        var row = new AuthorizationRequestEntity
        {
            PartitionKey = Ids.New(),
            Stage = AuthorizationRequestEntity.Requested,
            ClientId = request.Client.ClientId,
            RedirectUri = request.RedirectUri,
            CodeChallenge = request.CodeChallenge,
            State = request.State,
            Scope = string.Join(' ', request.Scopes),
            Nonce = request.Nonce,
            ExpiresAt = _time.GetUtcNow() + RequestLifetime,
        };
        await _requests.InsertAsync(row, cancellationToken);
        Log.RequestStarted(_logger, row.RequestId, row.ClientId);
        return row.RequestId;
    }

    /// <summary>A request still waiting for the user, or null (one storage call).</summary>
    public async Task<PendingAuthorization?> FindPendingAsync(string? requestId, CancellationToken cancellationToken)
    {
        var (row, client) = await PendingAsync(requestId, cancellationToken);
        return row is null || client is null ? null : new PendingAuthorization(client.ClientId, client.Name, client.FirstParty, Scopes(row.Scope));
    }

    /// <summary>
    /// The signed-in user's decision on a request (two storage calls after authentication): a code bound to the client,
    /// redirect URI and challenge, or <c>access_denied</c>. Either way the request is spent.
    /// </summary>
    public async Task<CompletionResult> CompleteAsync(AuthenticatedSession caller, string? requestId, bool approve, CancellationToken cancellationToken)
    {
        var (row, client) = await PendingAsync(requestId, cancellationToken);
        if (row is null || client is null)
        {
            return new CompletionResult.RequestInvalid();
        }

        var issuer = _auth.Value.Issuer;
        if (!approve)
        {
            row.Stage = AuthorizationRequestEntity.Denied;
            if (!await _requests.TryAdvanceAsync(row, cancellationToken))
            {
                return new CompletionResult.RequestInvalid();
            }

            Log.Denied(_logger, row.RequestId, row.ClientId, caller.UserId);
            return new CompletionResult.Redirect(RedirectWith(row.RedirectUri, [("error", "access_denied"), ("error_description", "The user declined."), ("state", row.State), ("iss", issuer)]));
        }

        var secret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        row.Stage = AuthorizationRequestEntity.CodeIssued;
        row.CodeHash = Hash(secret);
        row.UserId = caller.UserId;
        row.EmailKey = caller.EmailKey;
        row.SecurityStamp = caller.SecurityStamp;
        // The session the client gets was proved by the same sign-in: its auth_time and amr, not now and not "pwd".
        row.AuthTime = caller.AuthTime;
        row.Amr = AuthMethods.Format(caller.Methods);
        row.ExpiresAt = _time.GetUtcNow() + _auth.Value.AuthorizationCodeLifetime;
        if (!await _requests.TryAdvanceAsync(row, cancellationToken))
        {
            // Completed by another request meanwhile: one request gives at most one code.
            return new CompletionResult.RequestInvalid();
        }

        Log.CodeIssued(_logger, row.RequestId, row.ClientId, caller.UserId);
        return new CompletionResult.Redirect(RedirectWith(row.RedirectUri, [("code", row.RequestId + "." + secret), ("state", row.State), ("iss", issuer)]));
    }

    /// <summary>
    /// <c>grant_type=authorization_code</c>: the code must be the one issued, unspent, unexpired, for this client and
    /// redirect URI, and the verifier must hash to its challenge. A code presented again after it was spent ends the
    /// session its first use opened (RFC 6749 §4.1.2).
    /// </summary>
    public async Task<RedemptionResult> RedeemAsync(string? clientId, string? code, string? redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        var client = _oauth.Value.Find(clientId);
        if (client is null)
        {
            return new RedemptionResult.UnknownClient();
        }

        var dot = code?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (code is null || dot != 32 || !Ids.IsValid(code[..dot]) || code.Length > 200)
        {
            return Refused("The authorization code is not valid.");
        }

        var row = await _requests.FindAsync(code[..dot], cancellationToken);
        if (row?.CodeHash is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(row.CodeHash), Encoding.ASCII.GetBytes(Hash(code[(dot + 1)..]))))
        {
            return Refused("The authorization code is not valid.");
        }

        if (row.Stage == AuthorizationRequestEntity.Redeemed)
        {
            await EndSessionOfReusedCodeAsync(row, cancellationToken);
            return Refused("The authorization code was already used; the session it opened has been ended.");
        }

        if (row.Stage != AuthorizationRequestEntity.CodeIssued || row.UserId is null || row.EmailKey is null)
        {
            return Refused("The authorization code is not valid.");
        }

        if (_time.GetUtcNow() >= row.ExpiresAt)
        {
            return Refused("The authorization code has expired.");
        }

        if (!string.Equals(row.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            return Refused("The authorization code was issued to another client.");
        }

        if (!string.Equals(row.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            return Refused("redirect_uri is not the one of the authorization request.");
        }

        if (!Pkce.Verifies(codeVerifier, row.CodeChallenge))
        {
            return Refused("code_verifier does not match the code_challenge.");
        }

        // Spend the code before the session exists: of two racing redemptions, one wins the ETag and the other is a reuse.
        var sessionId = Ids.New();
        row.Stage = AuthorizationRequestEntity.Redeemed;
        row.IssuedSessionId = sessionId;
        if (!await _requests.TryAdvanceAsync(row, cancellationToken))
        {
            var current = await _requests.FindAsync(row.RequestId, cancellationToken);
            if (current is not null)
            {
                await EndSessionOfReusedCodeAsync(current, cancellationToken);
            }

            return Refused("The authorization code was already used; the session it opened has been ended.");
        }

        // The account as it is now: gone, disabled, or a credential changed since the approval (its stamp) opens nothing.
        var user = await _users.FindByEmailKeyAsync(row.EmailKey, cancellationToken);
        if (user is null || user.UserId != row.UserId || user.Disabled
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.SecurityStamp), Encoding.UTF8.GetBytes(row.SecurityStamp ?? "")))
        {
            return Refused("The account is disabled, gone, or its credentials changed since the user approved.");
        }

        var proof = new ClientGrant(client.ClientId, sessionId, row.AuthTime ?? _time.GetUtcNow());
        var (tokens, session) = await _signIn.OpenAsync(user, AuthMethods.Parse(row.Amr), proof, cancellationToken);
        var scopes = Scopes(row.Scope);
        var idToken = scopes.Contains(OAuthScopes.OpenId)
            ? _idTokens.Issue(tokens.User, client.ClientId, row.Nonce, scopes, new SessionProof(session.ProvedAt, session.Methods), await _keys.GetAsync(cancellationToken))
            : null;
        Log.CodeRedeemed(_logger, row.RequestId, client.ClientId, row.UserId, sessionId);
        return new RedemptionResult.Issued(tokens, idToken, row.Scope);
    }

    private async Task EndSessionOfReusedCodeAsync(AuthorizationRequestEntity row, CancellationToken cancellationToken)
    {
        if (row is { UserId: { } userId, IssuedSessionId: { } sessionId })
        {
            var session = await _sessions.GetAsync(userId, sessionId, cancellationToken);
            if (session is { Revoked: false })
            {
                await _sessions.TryRevokeAsync(userId, sessionId, session.ETag, RevocationReason.AuthorizationCodeReused, _time.GetUtcNow(), cancellationToken);
            }

            Log.CodeReused(_logger, row.RequestId, row.ClientId, userId, sessionId);
        }
    }

    private async Task<(AuthorizationRequestEntity? Row, OAuthClient? Client)> PendingAsync(string? requestId, CancellationToken cancellationToken)
    {
        if (requestId is null || !Ids.IsValid(requestId))
        {
            return default;
        }

        var row = await _requests.FindAsync(requestId, cancellationToken);
        if (row is not { Stage: AuthorizationRequestEntity.Requested } || _time.GetUtcNow() >= row.ExpiresAt)
        {
            return default;
        }

        // A client removed from the settings since the request was made gets nothing.
        var client = _oauth.Value.Find(row.ClientId);
        return client is not null && client.Registers(row.RedirectUri) ? (row, client) : default;
    }

    private static RedemptionResult.Refused Refused(string description) => new(description);

    private static string[] Scopes(string scope) => scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string Hash(string secret) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(secret)));

    /// <summary>The redirect URI with the parameters added to its query (RFC 6749 §4.1.2: any query it has is kept).</summary>
    public static string RedirectWith(string redirectUri, IEnumerable<(string Name, string? Value)> parameters)
    {
        var builder = new StringBuilder(redirectUri);
        var separator = redirectUri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in parameters.Where(p => p.Value is not null))
        {
            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value!));
            separator = '&';
        }

        return builder.ToString();
    }

    private static partial class Log
    {
        [LoggerMessage(1600, LogLevel.Information, "Authorization request {RequestId} started for client {ClientId}")]
        public static partial void RequestStarted(ILogger logger, string requestId, string clientId);

        [LoggerMessage(1601, LogLevel.Information, "Authorization request {RequestId} of client {ClientId} approved by user {UserId}: code issued")]
        public static partial void CodeIssued(ILogger logger, string requestId, string clientId, string userId);

        [LoggerMessage(1602, LogLevel.Information, "Authorization request {RequestId} of client {ClientId} denied by user {UserId}")]
        public static partial void Denied(ILogger logger, string requestId, string clientId, string userId);

        [LoggerMessage(1603, LogLevel.Information, "Authorization code of request {RequestId} redeemed by client {ClientId}: user {UserId}, session {SessionId}")]
        public static partial void CodeRedeemed(ILogger logger, string requestId, string clientId, string userId, string sessionId);

        [LoggerMessage(1604, LogLevel.Warning, "Authorization code of request {RequestId} (client {ClientId}) presented again: session {SessionId} of user {UserId} ended")]
        public static partial void CodeReused(ILogger logger, string requestId, string clientId, string userId, string sessionId);
    }
}
