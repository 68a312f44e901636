using System.Diagnostics;
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
        LoginRequest body, HttpContext context, SessionService sessions, CancellationToken cancellationToken)
    {
        var guarded = await sessions.LoginAsync(body.Email, body.Password, ClientAddress.KeyOf(context), cancellationToken);
        return guarded switch
        {
            // Answered before the password is checked: says nothing about the password or whether the account exists.
            GuardedLoginResult.RateLimited limited => RateLimiting.TooManyRequests(context, limited.RetryAfterSeconds),
            GuardedLoginResult.Busy => RateLimiting.HashingBusy(context),
            GuardedLoginResult.Checked checkedLogin => checkedLogin.Login switch
            {
                LoginResult.Succeeded succeeded => TokenIssued.Ok(succeeded.Tokens),
                LoginResult.MfaRequired required => MfaAnswers.MfaRequired(required.MfaToken, required.ExpiresIn, required.Methods),
                // Same answer for an unknown email and a wrong password: don't reveal which addresses exist.
                LoginResult.InvalidCredentials => Problems.Create(ErrorCodes.InvalidCredentials, "The email or password is incorrect."),
                LoginResult.EmailNotVerified => Problems.Create(ErrorCodes.EmailNotVerified, "Confirm your email address first: follow the link in the email we sent."),
                LoginResult.AccountDisabled => Problems.Create(ErrorCodes.AccountDisabled, "This account is disabled."),
                LoginResult.Invalid invalid => Problems.Validation(invalid.Errors),
                _ => throw new UnreachableException(),
            },
            _ => throw new UnreachableException(),
        };
    }
}
