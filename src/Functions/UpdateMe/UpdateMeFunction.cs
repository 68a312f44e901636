using System.Diagnostics;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Sessions;
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
        UpdateMeRequest body, Caller caller, AccountService accounts, CancellationToken cancellationToken)
    {
        return await accounts.UpdateProfileAsync(caller.Session, body.Name, cancellationToken) switch
        {
            UpdateProfileResult.Updated updated => TypedResults.Ok(UserResponse.From(updated.User)),
            UpdateProfileResult.Invalid invalid => Problems.Validation(invalid.Errors),
            UpdateProfileResult.NoAccount => Problems.Create(ErrorCodes.TokenRevoked, "The account behind this token no longer exists."),
            _ => throw new UnreachableException(),
        };
    }
}
