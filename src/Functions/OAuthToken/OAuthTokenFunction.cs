using FuncAuth.Core.Abuse;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class OAuthTokenFunction
{
    public static IEndpointRouteBuilder MapOAuthToken(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/token", HandleAsync).WithName("OAuthToken")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress, (_, retryAfter) => OAuthError.RateLimited(retryAfter));
        return app;
    }

    /// <summary>RFC 6749 token endpoint: form-encoded or JSON; errors in the OAuth shape.</summary>
    public static async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> HandleAsync(
        HttpRequest request, [AsParameters] GrantServices services, CancellationToken cancellationToken)
    {
        var (fields, error) = await OAuthFields.ReadAsync(request, cancellationToken);
        return fields is null ? error! : await TokenGrants.IssueAsync(request, fields, services, cancellationToken);
    }
}
