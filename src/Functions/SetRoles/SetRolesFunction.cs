using System.Diagnostics;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Accounts.Admin;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class SetRolesFunction
{
    public static IEndpointRouteBuilder MapSetRoles(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/users/{userId}/roles", HandleAsync).WithName("SetRoles").RequireAuthorization(AccessTokenAuthentication.AdminPolicy)
            .RequireRecentProof(FuncAuth.Core.Sessions.ProofRequirement.RecentWithSecondFactor);
        return app;
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> HandleAsync(
        string userId, SetRolesRequest body, Caller caller, UserAdministration admin, CancellationToken cancellationToken)
    {
        var result = await admin.SetRolesAsync(caller.Session.UserId, userId, body.Roles, cancellationToken);
        return result switch
        {
            SetRolesResult.Updated updated => TypedResults.Ok(UserResponse.ForAdmin(updated.User)),
            SetRolesResult.NotFound => Problems.NotFound("No user has this id."),
            SetRolesResult.Invalid invalid => Problems.Validation(invalid.Errors),
            SetRolesResult.LastAdmin => Problems.Create(ErrorCodes.LastAdmin, "This is the last admin: make another user admin first."),
            _ => throw new UnreachableException(),
        };
    }
}
