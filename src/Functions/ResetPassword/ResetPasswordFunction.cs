using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ResetPasswordFunction
{
    public static IEndpointRouteBuilder MapResetPassword(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/password/reset", HandleAsync).WithName("ResetPassword");
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(ResetPasswordRequest body, AccountLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var result = await lifecycle.ResetPasswordAsync(body.Token, body.Password, body.PasswordConfirmation, cancellationToken);
        return result.Status switch
        {
            ResetPasswordStatus.Reset => TypedResults.NoContent(),
            ResetPasswordStatus.ExpiredToken => Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ResetTokenExpired, "The reset link has expired; ask for a new one."),
            ResetPasswordStatus.InvalidToken => Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ResetTokenInvalid, "The reset link is not valid or was already used."),
            _ => Problems.Validation(result.Errors!),
        };
    }
}
