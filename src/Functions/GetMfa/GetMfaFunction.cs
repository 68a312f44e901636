using FuncAuth.Core.Mfa;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class GetMfaFunction
{
    public static IEndpointRouteBuilder MapGetMfa(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/mfa", HandleAsync).WithName("GetMfa").RequireAuthorization();
        return app;
    }

    /// <summary>The caller's second factors: TOTP on or off (since when), recovery codes left, passkeys.</summary>
    public static async Task<Ok<MfaStatusResponse>> HandleAsync(Caller caller, MfaService mfa, CancellationToken cancellationToken) =>
        TypedResults.Ok(MfaStatusResponse.From(await mfa.StatusAsync(caller.Session, cancellationToken)));
}
