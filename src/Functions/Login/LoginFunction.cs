using FuncAuth.Core.Abuse;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class LoginFunction
{
    public static IEndpointRouteBuilder MapLogin(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/login", HandleAsync).WithName("Login")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress);
        return app;
    }

    public static async Task<Results<TokenIssued, ProblemHttpResult>> HandleAsync(
        LoginRequest body, HttpContext context, LoginGuard logins, CancellationToken cancellationToken)
    {
        var guarded = await logins.LoginAsync(body.Email, body.Password, ClientAddress.KeyOf(context), cancellationToken);
        if (guarded.Status == GuardedLoginStatus.RateLimited)
        {
            // Answered before the password is checked: says nothing about the password or whether the account exists.
            return RateLimiting.TooManyRequests(context, guarded.RetryAfterSeconds);
        }

        if (guarded.Status == GuardedLoginStatus.Busy)
        {
            return RateLimiting.HashingBusy(context);
        }

        var result = guarded.Login!;
        return result.Status switch
        {
            LoginStatus.Succeeded => TokenIssued.Ok(result.Tokens!),
            // Same answer for an unknown email and a wrong password: don't reveal which addresses exist.
            LoginStatus.InvalidCredentials => Problems.Unauthorized(ErrorCodes.InvalidCredentials, "The email or password is incorrect."),
            _ => Problems.Validation(result.Errors!),
        };
    }
}
