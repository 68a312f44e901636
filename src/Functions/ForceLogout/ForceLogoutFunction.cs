using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ForceLogoutFunction
{
    public static IEndpointRouteBuilder MapForceLogout(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/users/{userId}/force-logout", HandleAsync).WithName("ForceLogout").RequireAuthorization(AccessTokenAuthentication.AdminPolicy);
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(string userId, Caller caller, SessionService sessions, CancellationToken cancellationToken) =>
        await sessions.ForceLogoutAsync(caller.Session.UserId, userId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("No user has this id.");
}
