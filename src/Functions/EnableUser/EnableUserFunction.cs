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
        return result.Status switch
        {
            AdminChangeStatus.Updated => TypedResults.Ok(UserResponse.ForAdmin(result.User!)),
            AdminChangeStatus.CannotDisableSelf => Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.CannotDisableSelf, "An admin cannot disable their own account."),
            _ => Problems.NotFound("No user has this id."),
        };
    }
}
