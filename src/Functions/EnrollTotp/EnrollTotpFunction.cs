using FuncAuth.Core.Accounts;
using FuncAuth.Core.Mfa;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class EnrollTotpFunction
{
    public static IEndpointRouteBuilder MapEnrollTotp(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/mfa/totp", HandleAsync).WithName("EnrollTotp").RequireAuthorization().RequireRecentProof();
        return app;
    }

    /// <summary>A new TOTP secret, pending until confirmed; asking again replaces it. 409 when TOTP is on.</summary>
    public static async Task<Results<Ok<TotpEnrolmentResponse>, ProblemHttpResult>> HandleAsync(
        Caller caller, AccountService accounts, MfaService mfa, CancellationToken cancellationToken)
    {
        var user = await accounts.GetCurrentUserAsync(caller.Session, cancellationToken);
        if (user is null)
        {
            return Problems.Create(ErrorCodes.TokenRevoked, "The account behind this token no longer exists.");
        }

        return await mfa.BeginTotpAsync(caller.Session, user.Email, cancellationToken) is { } enrolment
            ? TypedResults.Ok(new TotpEnrolmentResponse(enrolment.Secret, enrolment.OtpauthUri))
            : Problems.Create(ErrorCodes.MfaAlreadyEnabled, "Two-step sign-in is on already: turn it off first to enrol another authenticator.");
    }
}
