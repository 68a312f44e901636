using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ResetPasswordFunction
{
    public static IEndpointRouteBuilder MapResetPassword(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/password/reset", HandleAsync).WithName("ResetPassword")
            .RequireAddressLimit(RateLimitName.EmailRequestsPerAddress)
            .RequireHashSlot();
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        ResetPasswordRequest body, AccountService accounts, LoginGuard logins, CancellationToken cancellationToken)
    {
        switch (await accounts.ResetPasswordAsync(body.Token, body.Password, body.PasswordConfirmation, cancellationToken))
        {
            case ResetPasswordResult.Reset reset:
                // The owner proved the address and chose a new password: the account's failed-login counters start over,
                // at every address.
                await logins.ClearLoginFailuresAsync(reset.Email, cancellationToken);
                return TypedResults.NoContent();
            case ResetPasswordResult.ExpiredToken:
                return Problems.Create(ErrorCodes.ResetTokenExpired, "The reset link has expired; ask for a new one.");
            case ResetPasswordResult.InvalidToken:
                return Problems.Create(ErrorCodes.ResetTokenInvalid, "The reset link is not valid or was already used.");
            case ResetPasswordResult.Invalid invalid:
                return Problems.Validation(invalid.Errors);
            default:
                throw new UnreachableException();
        }
    }
}
