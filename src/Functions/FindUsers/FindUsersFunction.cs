using FuncAuth.Core.Accounts.Admin;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class FindUsersFunction
{
    public static IEndpointRouteBuilder MapFindUsers(this IEndpointRouteBuilder app)
    {
        // An admin read: an admin-scoped key's access token may call it, as GetUser (docs/api.md).
        app.MapGet("/api/users", HandleAsync).WithName("FindUsers").RequireAuthorization(AccessTokenAuthentication.AdminPolicy).NoStore()
            .AcceptApiKeys(header: false);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<UserResponse>>, ProblemHttpResult>> HandleAsync(
        string? email, UserAdministration admin, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["email"] = ["Give the address to look up: ?email=..."] });
        }

        var user = await admin.FindByEmailAsync(email, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<UserResponse>>(user is null ? [] : [UserResponse.ForAdmin(user)]);
    }
}
