using System.Diagnostics;
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
        return result switch
        {
            LoginResult.Succeeded succeeded => TokenIssued.Ok(succeeded.Tokens),
            // Same answer for an unknown email and a wrong password: don't reveal which addresses exist.
            LoginResult.InvalidCredentials => Problems.Create(ErrorCodes.InvalidCredentials, "The email or password is incorrect."),
            LoginResult.Invalid invalid => Problems.Validation(invalid.Errors),
            _ => throw new UnreachableException(),
        };
    }
}
