using System.Diagnostics;
using FuncAuth.Core.Accounts.Admin;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class EnableUserFunction
{
    public static IEndpointRouteBuilder MapEnableUser(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/users/{userId}/enable", HandleAsync).WithName("EnableUser").RequireAuthorization(AccessTokenAuthentication.AdminPolicy).NoStore();
        return app;
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> HandleAsync(
        string userId, Caller caller, UserAdministration admin, CancellationToken cancellationToken)
    {
        var result = await admin.EnableAsync(caller.Session.UserId, userId, cancellationToken);
        return result switch
        {
            AdminChangeResult.Updated updated => TypedResults.Ok(UserResponse.ForAdmin(updated.User)),
            AdminChangeResult.CannotDisableSelf => Problems.Create(ErrorCodes.CannotDisableSelf, "An admin cannot disable their own account."),
            AdminChangeResult.NotFound => Problems.NotFound("No user has this id."),
            _ => throw new UnreachableException(),
        };
    }
}
