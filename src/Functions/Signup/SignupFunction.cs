using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class SignupFunction
{
    public static IEndpointRouteBuilder MapSignup(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/signup", HandleAsync).WithName("Signup")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress)
            .RequireHashSlot();
        return app;
    }

    public static async Task<Results<TokenIssued, ProblemHttpResult>> HandleAsync(SignupRequest body, AccountService accounts, CancellationToken cancellationToken)
    {
        var result = await accounts.SignupAsync(body.Email, body.Password, body.PasswordConfirmation, body.Name, cancellationToken);
        return result switch
        {
            SignupResult.Created created => TokenIssued.Created(created.Tokens),
            SignupResult.EmailTaken => Problems.Create(ErrorCodes.EmailTaken, "This email address is already registered."),
            SignupResult.Invalid invalid => Problems.Validation(invalid.Errors),
            _ => throw new UnreachableException(),
        };
    }
}
