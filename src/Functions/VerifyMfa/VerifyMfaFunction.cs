using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Mfa;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class VerifyMfaFunction
{
    public static IEndpointRouteBuilder MapVerifyMfa(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/mfa/verify", HandleAsync).WithName("VerifyMfa")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress);
        return app;
    }

    /// <summary>The second step of a sign-in: the <c>mfaToken</c> of <c>mfa_required</c> and a TOTP or recovery code.</summary>
    public static async Task<Results<TokenIssued, ProblemHttpResult>> HandleAsync(
        MfaVerifyRequest body, HttpContext context, MfaService mfa, LoginGuard logins, CancellationToken cancellationToken)
    {
        if (MfaAnswers.CodeOf(body.Code, body.RecoveryCode) is not { } code)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["code"] = ["Send one of code or recoveryCode."] });
        }

        return await VerifyAsync(body.MfaToken, code, context, mfa, logins, cancellationToken) switch
        {
            MfaVerifyResult.Succeeded succeeded => TokenIssued.Ok(succeeded.Tokens),
            MfaVerifyResult.TokenInvalid => Problems.Create(ErrorCodes.MfaTokenInvalid, "The sign-in has expired or ended: sign in again with your password."),
            MfaVerifyResult.CodeInvalid => Problems.Create(ErrorCodes.MfaCodeInvalid, "The code is not valid."),
            MfaVerifyResult.RateLimited limited => RateLimiting.TooManyRequests(context, limited.RetryAfterSeconds),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>
    /// The answer to an <c>mfaToken</c>, under the failed-login limits of its account and the caller's address (a wrong
    /// code is a failed login). Shared by this endpoint and the <c>urn:funcauth:grant-type:mfa</c> grant.
    /// </summary>
    internal static async Task<MfaVerifyResult> VerifyAsync(
        string? mfaToken, OneTimeCode code, HttpContext context, MfaService mfa, LoginGuard logins, CancellationToken cancellationToken)
    {
        if (await mfa.FindChallengeAsync(mfaToken, cancellationToken) is not { } challenge)
        {
            return new MfaVerifyResult.TokenInvalid();
        }

        var (result, retryAfter) = await logins.CheckCredentialAsync(
            challenge.AccountKey, ClientAddress.KeyOf(context), ct => mfa.AnswerAsync(challenge, code, ct), r => r is MfaVerifyResult.CodeInvalid, cancellationToken);
        return result ?? new MfaVerifyResult.RateLimited(retryAfter);
    }
}
