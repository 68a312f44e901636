using FuncAuth.Core.Mfa;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ConfirmTotpFunction
{
    public static IEndpointRouteBuilder MapConfirmTotp(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/mfa/totp/confirm", HandleAsync).WithName("ConfirmTotp").RequireAuthorization().RequireRecentProof();
        return app;
    }

    /// <summary>Turns TOTP on when the code is the pending secret's: the recovery codes, shown only here.</summary>
    public static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> HandleAsync(
        CodeRequest body, Caller caller, MfaService mfa, CancellationToken cancellationToken) =>
        await mfa.ConfirmTotpAsync(caller.Session, body.Code, cancellationToken) is { } codes
            ? TypedResults.Ok(new RecoveryCodesResponse(codes))
            : Problems.Create(ErrorCodes.MfaCodeInvalidAtConfirm, "The code is not the authenticator's current one, or there is no enrolment to confirm (POST /api/auth/mfa/totp first).");
}
