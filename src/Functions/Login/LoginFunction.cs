using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class LoginFunction
{
    public static IEndpointRouteBuilder MapLogin(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/login", HandleAsync).WithName("Login");
        return app;
    }

    public static async Task<Results<TokenIssued, ProblemHttpResult>> HandleAsync(LoginRequest body, AccountService accounts, CancellationToken cancellationToken)
    {
        var result = await accounts.LoginAsync(body.Email, body.Password, cancellationToken);
        return result.Status switch
        {
            LoginStatus.Succeeded => TokenIssued.Ok(result.Tokens!),
            // Same answer for an unknown email and a wrong password: don't reveal which addresses exist.
            LoginStatus.InvalidCredentials => Problems.Unauthorized(ErrorCodes.InvalidCredentials, "The email or password is incorrect."),
            LoginStatus.EmailNotVerified => Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.EmailNotVerified, "Confirm your email address first: follow the link in the email we sent."),
            LoginStatus.AccountDisabled => Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.AccountDisabled, "This account is disabled."),
            _ => Problems.Validation(result.Errors!),
        };
    }
}
