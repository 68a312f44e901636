using System.Diagnostics;
using FuncAuth.Core.Accounts.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The one mapping of an admin's change to a user (disable, enable) to its answer.</summary>
public static class AdminChangeAnswers
{
    public static Results<Ok<UserResponse>, ProblemHttpResult> From(AdminChangeResult result) => result switch
    {
        AdminChangeResult.Updated updated => TypedResults.Ok(UserResponse.ForAdmin(updated.User)),
        AdminChangeResult.CannotDisableSelf => Problems.Create(ErrorCodes.CannotDisableSelf, "An admin cannot disable their own account."),
        AdminChangeResult.NotFound => Problems.NotFound("No user has this id."),
        AdminChangeResult.LastAdmin => Problems.Create(ErrorCodes.LastAdmin, "This is the last admin: make another user admin first."),
        _ => throw new UnreachableException(),
    };
}
