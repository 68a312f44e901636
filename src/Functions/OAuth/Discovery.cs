using FuncAuth.Core.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.OAuth;

/// <summary>The one metadata document behind both discovery routes (RFC 8414 and OpenID Connect Discovery).</summary>
public static class Discovery
{
    public static JsonHttpResult<DiscoveryResponse> Document(IOptions<AuthOptions> options, HttpResponse response)
    {
        var issuer = options.Value.Issuer;
        response.Headers.CacheControl = $"public, max-age={JwksFunction.MaxAgeSeconds}";
        var document = new DiscoveryResponse(
            Issuer: issuer,
            JwksUri: issuer + "/.well-known/jwks.json",
            TokenEndpoint: issuer + "/oauth/token",
            RevocationEndpoint: issuer + "/oauth/revoke",
            // Only what the token endpoint answers today; a grant added there is published here by the same list.
            GrantTypesSupported: TokenGrants.Supported,
            // Public clients (SPAs, mobile apps): no client authentication at the token or revocation endpoint.
            TokenEndpointAuthMethodsSupported: ["none", "client_secret_basic", "client_secret_post"],
            RevocationEndpointAuthMethodsSupported: ["none"],
            ResponseTypesSupported: ["token"],
            SubjectTypesSupported: ["public"],
            // No ID tokens are issued, but OpenID Connect validators require the member; it names what signs.
            IdTokenSigningAlgValuesSupported: ["ES256"]);
        return TypedResults.Json(document, OAuthJsonContext.Default.DiscoveryResponse);
    }
}
