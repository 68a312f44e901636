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
        // Exactly one proof: the password, one second-factor code, or a passkey (a new kind of proof is one more case here).
        var passkey = body.Passkey is { ValueKind: not System.Text.Json.JsonValueKind.Null and not System.Text.Json.JsonValueKind.Undefined } credential ? credential : (System.Text.Json.JsonElement?)null;
        Proof? proof = (body.Password, MfaAnswers.CodeOf(body.Code, body.RecoveryCode), passkey) switch
        {
            ({ Length: > 0 } password, null, null) when body.Code is null && body.RecoveryCode is null => new Proof.Password(password),
            (null or "", { } code, null) => new Proof.SecondFactor(code),
            (null or "", null, { } assertion) when body.Code is null && body.RecoveryCode is null => new Proof.Passkey(assertion, caller.Session.SessionId),
            _ => null,
        };
        if (proof is null)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["password"] = ["Send one of password, code, recoveryCode or passkey."] });
        }

        var (result, retryAfter) = await logins.CheckPasswordAsync(
            caller.Session, ClientAddress.KeyOf(context),
            ct => reauthentication.ReauthenticateAsync(caller.Session, proof, ct), r => r is ReauthenticationResult.Refused, cancellationToken);
        return result switch
        {
            null => RateLimiting.TooManyRequests(context, retryAfter),
            ReauthenticationResult.Succeeded succeeded => TokenIssued.Ok(succeeded.Tokens),
            ReauthenticationResult.Refused { Proof: Proof.Password } => Problems.Create(ErrorCodes.InvalidCredentials, "The password is incorrect."),
            ReauthenticationResult.Refused { Proof: Proof.Passkey } => PasskeyFunctions.Invalid(),
            ReauthenticationResult.Refused { Proof: Proof.SecondFactor } => Problems.Create(ErrorCodes.MfaCodeInvalid, "The code is not valid."),
            ReauthenticationResult.SessionEnded => Problems.Create(ErrorCodes.TokenRevoked, "The session has ended or the account no longer exists."),
            _ => throw new UnreachableException(),
        };
    }
}
