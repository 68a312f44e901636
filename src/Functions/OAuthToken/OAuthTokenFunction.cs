using FuncAuth.Core.Abuse;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.ApiKeys;
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
    /// services are marked as such: the compile-time request delegate would otherwise take one for a JSON body.
    /// </summary>
    public static async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> HandleAsync(
        HttpRequest request, [FromServices] LoginGuard logins, [FromServices] SessionService sessions, [FromServices] ApiKeyService apiKeys,
        [FromServices] FuncAuth.Core.Mfa.MfaService mfa, [FromServices] Core.OAuth.AuthorizationService authorization,
        [FromServices] Microsoft.Extensions.Options.IOptions<Core.OAuth.OAuthOptions> oauth, CancellationToken cancellationToken)
    {
        var (fields, error) = await OAuthFields.ReadAsync(request, cancellationToken);
        return fields is null
            ? error!
            : await TokenGrants.IssueAsync(request, fields, new GrantServices(logins, sessions, apiKeys, mfa, authorization, oauth.Value), cancellationToken);
    }
}
