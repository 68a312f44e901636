using FuncAuth.Core.Accounts.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The answers shared by the endpoints that check the caller's password (change, delete).</summary>
internal static class LifecycleAnswers
{
    public static Results<NoContent, ProblemHttpResult> PasswordChecked(PasswordCheckedResult result) => result.Status switch
    {
        PasswordCheckedStatus.Done => TypedResults.NoContent(),
        PasswordCheckedStatus.PasswordIncorrect => Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.PasswordIncorrect, "The current password is incorrect."),
        PasswordCheckedStatus.NoAccount => Problems.Unauthorized(ErrorCodes.TokenRevoked, "The account behind this token no longer exists."),
        _ => Problems.Validation(result.Errors!),
    };
}
