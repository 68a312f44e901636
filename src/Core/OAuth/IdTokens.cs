using FuncAuth.Core.Accounts;
using FuncAuth.Core.Options;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FuncAuth.Core.OAuth;

/// <summary>
/// OpenID Connect ID tokens (Core §2): ES256 with the access tokens' key and <c>kid</c>, <c>aud</c> = the client, the
/// user claims of the granted scopes (<see cref="UserClaims"/>, the same ones <c>/oauth/userinfo</c> answers).
/// </summary>
public sealed class IdTokens(IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string Issue(UserAccount user, string clientId, string? nonce, IReadOnlyList<string> scopes, SessionProof proof, SigningKeySet keys)
    {
        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in UserClaims(user, scopes))
        {
            claims[name] = value;
        }

        // OpenID Connect Core §2: when and how the user authenticated (RFC 8176 values), the session's own.
        claims["auth_time"] = proof.AuthTime.ToUnixTimeSeconds();
        claims["amr"] = proof.Methods.ToArray();
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = "JWT",
            Issuer = options.Value.Issuer,
            Audience = clientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + options.Value.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(keys.Current.SecurityKey, SecurityAlgorithms.EcdsaSha256),
            Claims = claims,
        };
        return _handler.CreateToken(descriptor);
    }

    /// <summary><c>sub</c>, then <c>email</c> and <c>email_verified</c> for scope email, <c>name</c> for scope profile (when set).</summary>
    public static IEnumerable<(string Name, object Value)> UserClaims(UserAccount user, IReadOnlyCollection<string> scopes)
    {
        yield return (JwtRegisteredClaimNames.Sub, user.Id);
        if (scopes.Contains(OAuthScopes.Email))
        {
            yield return (JwtRegisteredClaimNames.Email, user.Email);
            yield return ("email_verified", user.EmailVerified);
        }

        if (scopes.Contains(OAuthScopes.Profile) && user.Name is { Length: > 0 } name)
        {
            yield return (JwtRegisteredClaimNames.Name, name);
        }
    }
}
