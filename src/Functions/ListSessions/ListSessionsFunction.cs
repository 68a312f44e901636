using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ListSessionsFunction
{
    public static IEndpointRouteBuilder MapListSessions(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/sessions", HandleAsync).WithName("ListSessions").RequireAuthorization().NoStore();
        return app;
    }

    public static async Task<Ok<IReadOnlyList<SessionResponse>>> HandleAsync(Caller caller, SessionService sessions, CancellationToken cancellationToken)
    {
        var live = await sessions.ListSessionsAsync(caller.Session, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<SessionResponse>>(live.Select(SessionResponse.From).ToList());
    }
}
