using FuncAuth.Core.Mfa;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class RegenerateRecoveryCodesFunction
{
    public static IEndpointRouteBuilder MapRegenerateRecoveryCodes(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/mfa/recovery-codes", HandleAsync).WithName("RegenerateRecoveryCodes").RequireAuthorization()
            .RequireRecentProof(ProofRequirement.RecentWithSecondFactor);
        return app;
    }

    /// <summary>Ten new recovery codes; the old ones end.</summary>
    public static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> HandleAsync(Caller caller, MfaService mfa, CancellationToken cancellationToken) =>
        await mfa.RegenerateRecoveryCodesAsync(caller.Session, cancellationToken) is { } codes
            ? TypedResults.Ok(new RecoveryCodesResponse(codes))
            : Problems.NotFound("Two-step sign-in is not on.");
}
