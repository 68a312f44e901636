using FuncAuth.Core.Accounts.Admin;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class GetUserFunction
{
    public static IEndpointRouteBuilder MapGetUser(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/users/{userId}", HandleAsync).WithName("GetUser").RequireAuthorization(AccessTokenAuthentication.AdminPolicy)
            .AcceptApiKeys(header: false);
        return app;
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> HandleAsync(string userId, UserAdministration admin, CancellationToken cancellationToken)
    {
        var user = await admin.GetAsync(userId, cancellationToken);
        return user is null ? Problems.NotFound("No user has this id.") : TypedResults.Ok(UserResponse.ForAdmin(user));
    }
}
