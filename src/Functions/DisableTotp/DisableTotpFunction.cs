using FuncAuth.Core.Mfa;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class DisableTotpFunction
{
    public static IEndpointRouteBuilder MapDisableTotp(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/auth/mfa/totp", HandleAsync).WithName("DisableTotp").RequireAuthorization()
            .RequireRecentProof(ProofRequirement.RecentWithSecondFactor);
        return app;
    }

    /// <summary>Turns TOTP off; the recovery codes end; the owner gets an email.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(Caller caller, MfaService mfa, CancellationToken cancellationToken) =>
        await mfa.DisableTotpAsync(caller.Session, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("Two-step sign-in is not on.");
}
