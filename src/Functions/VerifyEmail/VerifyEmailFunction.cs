using System.Diagnostics;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class VerifyEmailFunction
{
    public static IEndpointRouteBuilder MapVerifyEmail(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/verify-email", HandleAsync).WithName("VerifyEmail");
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(TokenRequest body, AccountService accounts, CancellationToken cancellationToken) =>
        await accounts.VerifyEmailAsync(body.Token, cancellationToken) switch
        {
            VerifyEmailStatus.Verified => TypedResults.NoContent(),
            VerifyEmailStatus.Expired => Problems.Create(ErrorCodes.VerificationTokenExpired, "The verification link has expired; ask for a new one."),
            VerifyEmailStatus.Invalid => Problems.Create(ErrorCodes.VerificationTokenInvalid, "The verification link is not valid or was already used."),
            _ => throw new UnreachableException(),
        };
}
