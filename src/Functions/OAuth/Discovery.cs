using FuncAuth.Core.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.OAuth;

/// <summary>The one metadata document behind both discovery routes (RFC 8414 and OpenID Connect Discovery).</summary>
public static class Discovery
{
    public static JsonHttpResult<DiscoveryResponse> Document(IOptions<AuthOptions> options, IOptions<Core.OAuth.OAuthOptions> oauth, HttpResponse response)
    {
        var issuer = options.Value.Issuer;
        response.Headers.CacheControl = $"public, max-age={JwksFunction.MaxAgeSeconds}";
        var document = new DiscoveryResponse(
            Issuer: issuer,
            JwksUri: issuer + "/.well-known/jwks.json",
            TokenEndpoint: issuer + "/oauth/token",
            RevocationEndpoint: issuer + "/oauth/revoke",
            // Only what the token endpoint answers today; a grant added there is published here by the same list.
            GrantTypesSupported: TokenGrants.SupportedBy(oauth.Value),
            // Public clients (SPAs, mobile apps): no client authentication at the token or revocation endpoint.
            TokenEndpointAuthMethodsSupported: ["none", "client_secret_basic", "client_secret_post"],
            RevocationEndpointAuthMethodsSupported: ["none"],
            ResponseTypesSupported: ["code"],
            SubjectTypesSupported: ["public"],
            IdTokenSigningAlgValuesSupported: ["ES256"],
            AuthorizationEndpoint: issuer + "/oauth/authorize",
            UserInfoEndpoint: issuer + "/oauth/userinfo",
            // form_post is accepted at the authorization endpoint and answered in the query, which its relying parties read too.
            ResponseModesSupported: ["query"],
            CodeChallengeMethodsSupported: [Core.OAuth.Pkce.S256],
            AuthorizationResponseIssParameterSupported: true,
            ScopesSupported: Core.OAuth.OAuthScopes.Supported,
            ClaimsSupported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "amr", "nonce", "email", "email_verified", "name"]);
        return TypedResults.Json(document, OAuthJsonContext.Default.DiscoveryResponse);
    }
}
