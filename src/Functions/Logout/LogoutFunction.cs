using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace FuncAuth.Functions;

public static class LogoutFunction
{
    public static IEndpointRouteBuilder MapLogout(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/auth/logout", [HttpMethods.Post, HttpMethods.Delete], HandleAsync).WithName("Logout").RequireAuthorization();
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Caller caller, SessionService sessions, HttpContext context, CancellationToken cancellationToken, [FromBody] LogoutRequest? body = null)
    {
        LogoutScope? scope = body?.Scope switch
        {
            null or "local" => LogoutScope.Local,
            "global" => LogoutScope.Global,
            "others" => LogoutScope.Others,
            _ => null,
        };
        if (scope is null)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["scope"] = ["Scope must be one of: local, global, others."] });
        }

        // Ending the caller's own session needs nothing more; ending others is sensitive (step-up).
        if (scope != LogoutScope.Local && StepUpChallenge.Challenge(context, ProofRequirement.Recent) is { } challenge)
        {
            return challenge;
        }

        await sessions.LogoutAsync(caller.Session, scope.Value, cancellationToken);
        return TypedResults.NoContent();
    }
}
