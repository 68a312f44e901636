using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The answers shared by the endpoints that check the caller's password (change, delete).</summary>
internal static class LifecycleAnswers
{
    /// <summary>
    /// Runs a check of the caller's password under the failed-login limits of their account (as login counts them), and
    /// answers it: 429 with Retry-After over a limit, the check not run.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> PasswordCheckedAsync(
        HttpContext context, Caller caller, LoginGuard logins, Func<CancellationToken, Task<PasswordCheckedResult>> check, CancellationToken cancellationToken)
    {
        var (result, retryAfter) = await logins.CheckPasswordAsync(
            caller.Session, ClientAddress.KeyOf(context), check, r => r is PasswordCheckedResult.PasswordIncorrect, cancellationToken);
        return result is null ? RateLimiting.TooManyRequests(context, retryAfter) : PasswordChecked(result);
    }

    public static Results<NoContent, ProblemHttpResult> PasswordChecked(PasswordCheckedResult result) => result switch
    {
        PasswordCheckedResult.Done => TypedResults.NoContent(),
        PasswordCheckedResult.PasswordIncorrect => Problems.Create(ErrorCodes.PasswordIncorrect, "The current password is incorrect."),
        PasswordCheckedResult.NoAccount => Problems.Create(ErrorCodes.TokenRevoked, "The account behind this token no longer exists."),
        PasswordCheckedResult.Invalid invalid => Problems.Validation(invalid.Errors),
        _ => throw new UnreachableException(),
    };
}
