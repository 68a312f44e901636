using FuncAuth.Core.Accounts;
using FuncAuth.Core.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Tokens;

public enum AccessTokenStatus
{
    Valid,
    Invalid,
    Expired,
}

/// <summary>
/// What a valid access token says. <c>Subject</c> and <c>TokenId</c> are never empty; <c>SessionId</c> is empty only in a
/// token issued to an API key (client_credentials), whose <c>ClientId</c> is the key id.
/// </summary>
public sealed record AccessTokenClaims(string Subject, string SessionId, string TokenId, IReadOnlyList<string> Roles, string? ClientId = null);

/// <summary>What a session's access token says about how its user signed in: <c>auth_time</c> and <c>amr</c> (RFC 8176).</summary>
public sealed record SessionProof(DateTimeOffset AuthTime, IReadOnlyList<string> Methods);

public sealed record AccessTokenCheck(AccessTokenStatus Status, AccessTokenClaims? Claims = null);

/// <summary>Issues and strictly validates ES256 access tokens (RFC 9068 profile, <c>typ</c> <c>at+jwt</c>).</summary>
public sealed class AccessTokens(IOptions<AuthOptions> options, SigningKeyRing keys, TimeProvider time, Diagnostics.AuthMetrics? metrics = null)
{
    public const string TokenType = "at+jwt";
    private const int MaximumTokenBytes = 8 * 1024;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new()
    {
        SetDefaultTimesOnTokenCreation = false,
        MaximumTokenSizeInBytes = MaximumTokenBytes,
    };

    private AuthOptions Settings => options.Value;

    /// <summary>
    /// The JWT for a session. The same inputs give the same header and claims (ECDSA signatures are randomised, so only
    /// the signature differs), which is how a refresh inside the reuse interval hands back the token the winning rotation
    /// issued, with its jti, instead of minting a second one.
    /// </summary>
    public string Issue(UserAccount user, string sessionId, string tokenId, DateTimeOffset issuedAt, SigningKey key, SessionProof proof, string? clientId = null)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = TokenType,
            Issuer = Settings.Issuer,
            Audience = Settings.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = (issuedAt + Settings.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key.SecurityKey, SecurityAlgorithms.EcdsaSha256),
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Sub] = user.Id,
                // The registered client of a session opened by the code flow; FuncAuth's own otherwise.
                ["client_id"] = clientId ?? Settings.ClientId,
                [JwtRegisteredClaimNames.Jti] = tokenId,
                [JwtRegisteredClaimNames.Sid] = sessionId,
                [JwtRegisteredClaimNames.Email] = user.Email,
                ["email_verified"] = user.EmailVerified,
                ["roles"] = user.Roles.ToArray(),
                // OpenID Connect Core 1.0 §2: seconds since the epoch; RFC 8176 methods.
                [JwtRegisteredClaimNames.AuthTime] = proof.AuthTime.ToUnixTimeSeconds(),
                [JwtRegisteredClaimNames.Amr] = proof.Methods.ToArray(),
            },
        };
        return _handler.CreateToken(descriptor);
    }

    /// <summary>
    /// The JWT for an API key (client_credentials grant): <c>client_id</c> = the key id, <c>roles</c> = the granted scope,
    /// no <c>sid</c> (there is no session), valid until <paramref name="expiresAt"/>.
    /// </summary>
    public string IssueForClient(UserAccount user, string clientId, IReadOnlyList<string> roles, string tokenId, DateTimeOffset issuedAt, DateTimeOffset expiresAt, SigningKey key)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = TokenType,
            Issuer = Settings.Issuer,
            Audience = Settings.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            SigningCredentials = new SigningCredentials(key.SecurityKey, SecurityAlgorithms.EcdsaSha256),
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Sub] = user.Id,
                ["client_id"] = clientId,
                [JwtRegisteredClaimNames.Jti] = tokenId,
                [JwtRegisteredClaimNames.Email] = user.Email,
                ["roles"] = roles.ToArray(),
            },
        };
        return _handler.CreateToken(descriptor);
    }

    /// <summary>
    /// Validates a token strictly (ES256 signature by a key of the ring, lifetime, issuer, audience, type). Every
    /// validation is counted (<c>funcauth.access_token.validations</c>), which is how a test holds a request to one.
    /// </summary>
    public async Task<AccessTokenCheck> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var check = await CheckAsync(token, cancellationToken);
        metrics?.AccessTokenValidated(check.Status);
        return check;
    }

    private async Task<AccessTokenCheck> CheckAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length is 0 or > MaximumTokenBytes)
        {
            return new(AccessTokenStatus.Invalid);
        }

        var keySet = await keys.GetAsync(cancellationToken);
        var result = await _handler.ValidateTokenAsync(token, Parameters(keySet));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && result.TokenOnFailedValidation is JsonWebToken { Kid: { Length: > 0 } kid })
        {
            var reloaded = await keys.GetWithKeyAsync(kid, cancellationToken);
            if (!ReferenceEquals(reloaded, keySet))
            {
                result = await _handler.ValidateTokenAsync(token, Parameters(reloaded));
            }
        }

        if (!result.IsValid)
        {
            return new(AccessTokenStatus.Invalid);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var now = time.GetUtcNow().UtcDateTime;
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out _)
            || (jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out _) && now + ClockSkew < jwt.ValidFrom))
        {
            return new(AccessTokenStatus.Invalid);
        }

        if (now - ClockSkew >= jwt.ValidTo)
        {
            return new(AccessTokenStatus.Expired);
        }

        var subject = jwt.Subject;
        var tokenId = jwt.Id;
        var sessionId = jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sid, out var sid) ? sid : null;
        // Session tokens carry sid; API-key tokens carry none. Which kind a token is, and whether that kind is accepted,
        // is the caller's check (a session check refuses an empty sid).
        var clientId = jwt.TryGetPayloadValue<string>("client_id", out var cid) ? cid : null;
        if (string.IsNullOrEmpty(subject) || string.IsNullOrEmpty(tokenId) || (sessionId is not null && sessionId.Length == 0) || string.IsNullOrEmpty(jwt.Kid))
        {
            return new(AccessTokenStatus.Invalid);
        }

        var roles = result.ClaimsIdentity.FindAll("roles").Select(c => c.Value).ToArray();
        return new(AccessTokenStatus.Valid, new AccessTokenClaims(subject, sessionId ?? "", tokenId, roles, clientId));
    }

    // Built once per key set (the set changes only when the keys do), not on every request. One immutable object, so a
    // concurrent reader never sees the parameters of one set paired with another set.
    private volatile CachedParameters? _parameters;

    private TokenValidationParameters Parameters(SigningKeySet keySet)
    {
        if (_parameters is { } cached && ReferenceEquals(cached.Keys, keySet))
        {
            return cached.Parameters;
        }

        var parameters = CreateParameters(keySet);
        _parameters = new CachedParameters(keySet, parameters);
        return parameters;
    }

    private sealed record CachedParameters(SigningKeySet Keys, TokenValidationParameters Parameters);

    private TokenValidationParameters CreateParameters(SigningKeySet keySet) => new()
    {
        // ES256 only: HS256 (with any key), none, and every other algorithm are refused before a key is looked at.
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ValidTypes = [TokenType],
        ValidIssuer = Settings.Issuer,
        ValidAudience = Settings.Audience,
        IssuerSigningKeys = keySet.All.Select(k => k.PublicSecurityKey).ToArray(),
        // Only the key the token names: no kid, or an unknown or disabled one, is not a valid token.
        TryAllIssuerSigningKeys = false,
        RequireSignedTokens = true,
        RequireAudience = true,
        ValidateIssuerSigningKey = true,
        // Lifetime is checked against the injected clock after validation, which the handler cannot be given.
        ValidateLifetime = false,
        IncludeTokenOnFailedValidation = true,
        NameClaimType = JwtRegisteredClaimNames.Sub,
        RoleClaimType = "roles",
    };
}
