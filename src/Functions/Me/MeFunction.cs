using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class MeFunction
{
    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/me", HandleAsync).WithName("Me").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> HandleAsync(Caller caller, AccountService accounts, CancellationToken cancellationToken)
    {
        var user = await accounts.GetCurrentUserAsync(caller.Session, cancellationToken);
        return user is null
            ? Problems.Create(ErrorCodes.TokenRevoked, "The account behind this token no longer exists.")
            : TypedResults.Ok(UserResponse.From(user));
    }
}
