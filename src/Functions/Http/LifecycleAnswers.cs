using System.Diagnostics;
using FuncAuth.Core.Accounts.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The answers shared by the endpoints that check the caller's password (change, delete).</summary>
internal static class LifecycleAnswers
{
    public static Results<NoContent, ProblemHttpResult> PasswordChecked(PasswordCheckedResult result) => result switch
    {
        PasswordCheckedResult.Done => TypedResults.NoContent(),
        PasswordCheckedResult.PasswordIncorrect => Problems.Create(ErrorCodes.PasswordIncorrect, "The current password is incorrect."),
        PasswordCheckedResult.NoAccount => Problems.Create(ErrorCodes.TokenRevoked, "The account behind this token no longer exists."),
        PasswordCheckedResult.Invalid invalid => Problems.Validation(invalid.Errors),
        _ => throw new UnreachableException(),
    };
}
