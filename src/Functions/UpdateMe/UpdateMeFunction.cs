using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class UpdateMeFunction
{
    public static IEndpointRouteBuilder MapUpdateMe(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/auth/me", [HttpMethods.Patch], HandleAsync).WithName("UpdateMe").RequireAuthorization().NoStore();
        return app;
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> HandleAsync(
        UpdateMeRequest body, Caller caller, AccountLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var result = await lifecycle.UpdateProfileAsync(caller.Session, body.Name, cancellationToken);
        if (result.Errors is not null)
        {
            return Problems.Validation(result.Errors);
        }

        return result.User is null
            ? Problems.Unauthorized(ErrorCodes.TokenRevoked, "The account behind this token no longer exists.")
            : TypedResults.Ok(UserResponse.From(result.User));
    }
}
