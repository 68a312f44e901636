using FuncAuth.Core.Tokens;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class JwksFunction
{
    /// <summary>How long relying parties may cache the key set; the key activation delay is longer, so they meet a new key in time.</summary>
    public const int MaxAgeSeconds = 300;

    public static IEndpointRouteBuilder MapJwks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/jwks.json", HandleAsync).WithName("Jwks");
        return app;
    }

    /// <summary>The public key of every enabled version, from memory: no storage call, and never a private member.</summary>
    public static async Task<JsonHttpResult<JsonWebKeySetResponse>> HandleAsync(SigningKeyRing keys, HttpResponse response, CancellationToken cancellationToken)
    {
        var set = await keys.GetAsync(cancellationToken);
        response.Headers.CacheControl = $"public, max-age={MaxAgeSeconds}";
        var published = set.All
            .OrderBy(k => k.CreatedAt)
            .ThenBy(k => k.Id, StringComparer.Ordinal)
            .Select(k => new JsonWebKeyResponse(
                "EC", "P-256", System.Buffers.Text.Base64Url.EncodeToString(k.PublicX.Span), System.Buffers.Text.Base64Url.EncodeToString(k.PublicY.Span), k.Id, "ES256", "sig"))
            .ToArray();
        return TypedResults.Json(new JsonWebKeySetResponse(published), OAuthJsonContext.Default.JsonWebKeySetResponse);
    }
}
