using FuncAuth.Core.Abuse;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace FuncAuth.Functions;

public static class OAuthTokenFunction
{
    public static IEndpointRouteBuilder MapOAuthToken(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/token", HandleAsync).WithName("OAuthToken")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress, (_, retryAfter) => OAuthError.RateLimited(retryAfter));
        return app;
    }

    /// <summary>
    /// RFC 6749 token endpoint: form-encoded or JSON, read by <see cref="OAuthFields"/>; errors in the OAuth shape. The
    /// grants are marked as a service: the compile-time request delegate would otherwise take them for a JSON body.
    /// </summary>
    public static async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> HandleAsync(
        HttpRequest request, [FromServices] TokenGrants grants, CancellationToken cancellationToken)
    {
        var (fields, error) = await OAuthFields.ReadAsync(request, cancellationToken);
        return fields is null ? error! : await grants.IssueAsync(request, fields, cancellationToken);
    }
}
