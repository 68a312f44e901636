using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class SignupFunction
{
    public static IEndpointRouteBuilder MapSignup(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/signup", SignupWithVerification.HandleAsync).WithName("Signup");
        return app;
    }

    public static async Task<Results<TokenIssued, ProblemHttpResult>> HandleAsync(SignupRequest body, AccountService accounts, CancellationToken cancellationToken)
    {
        var result = await accounts.SignupAsync(body.Email, body.Password, body.PasswordConfirmation, body.Name, cancellationToken);
        return result.Status switch
        {
            SignupStatus.Created => TokenIssued.Created(result.Tokens!),
            SignupStatus.EmailTaken => Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.EmailTaken, "This email address is already registered."),
            _ => Problems.Validation(result.Errors!),
        };
    }
}
