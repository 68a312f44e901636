using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ReauthenticateFunction
{
    public static IEndpointRouteBuilder MapReauthenticate(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/reauthenticate", HandleAsync).WithName("Reauthenticate").RequireAuthorization()
            .RequireHashSlot();
        return app;
    }

    /// <summary>
    /// Proves a credential again in the caller's session: the same session (<c>sid</c>), new tokens, <c>auth_time</c>
    /// now, the proof's methods merged into <c>amr</c>. A wrong proof counts as a failed login of the account.
    /// </summary>
    public static async Task<Results<TokenIssued, ProblemHttpResult>> HandleAsync(
        ReauthenticateRequest body, HttpContext context, Caller caller, Reauthentication reauthentication, LoginGuard logins, CancellationToken cancellationToken)
    {
        Proof? proof = !string.IsNullOrEmpty(body.Password) ? new Proof.Password(body.Password) : null;
        if (proof is null)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["password"] = ["Send the password."] });
        }

        var (result, retryAfter) = await logins.CheckPasswordAsync(
            caller.Session, ClientAddress.KeyOf(context),
            ct => reauthentication.ReauthenticateAsync(caller.Session, proof, ct), r => r is ReauthenticationResult.Refused, cancellationToken);
        return result switch
        {
            null => RateLimiting.TooManyRequests(context, retryAfter),
            ReauthenticationResult.Succeeded succeeded => TokenIssued.Ok(succeeded.Tokens),
            ReauthenticationResult.Refused { Proof: Proof.Password } => Problems.Create(ErrorCodes.InvalidCredentials, "The password is incorrect."),
            ReauthenticationResult.SessionEnded => Problems.Create(ErrorCodes.TokenRevoked, "The session has ended or the account no longer exists."),
            _ => throw new UnreachableException(),
        };
    }
}
