using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class DeleteSessionFunction
{
    public static IEndpointRouteBuilder MapDeleteSession(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/auth/sessions/{sessionId}", HandleAsync).WithName("DeleteSession").RequireAuthorization();
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        string sessionId, Caller caller, SessionService sessions, HttpContext context, CancellationToken cancellationToken)
    {
        // Ending the caller's own session is a logout; ending another one is sensitive (step-up).
        if (!string.Equals(sessionId, caller.Session.SessionId, StringComparison.Ordinal)
            && StepUpChallenge.Challenge(context, FuncAuth.Core.Sessions.ProofRequirement.Recent) is { } challenge)
        {
            return challenge;
        }

        return await sessions.EndSessionAsync(caller.Session, sessionId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("You have no live session with this id.");
    }
}
