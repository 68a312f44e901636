using FuncAuth.Core.Sessions;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace FuncAuth.Functions;

public static class OAuthRevokeFunction
{
    public static IEndpointRouteBuilder MapOAuthRevoke(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/revoke", HandleAsync).WithName("OAuthRevoke");
        return app;
    }

    /// <summary>
    /// RFC 7009: revoking a refresh token or an access token ends its session. Always 200 for a well-formed request,
    /// also for an unknown or spent token (§2.2), so the answer says nothing about which tokens exist.
    /// </summary>
    public static async Task<Results<Ok, OAuthError>> HandleAsync(HttpRequest request, HttpResponse response, [FromServices] TokenRevocation revocation, CancellationToken cancellationToken)
    {
        var (fields, error) = await OAuthFields.ReadAsync(request, cancellationToken);
        if (fields is null)
        {
            return error!;
        }

        if (fields["token"] is not { } token)
        {
            return OAuthError.InvalidRequest("token is required.");
        }

        await revocation.RevokeAsync(token, fields["token_type_hint"], cancellationToken);
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok();
    }
}
