using FuncAuth.Core.Accounts.Lifecycle;
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

    public static async Task<Ok<IReadOnlyList<SessionResponse>>> HandleAsync(Caller caller, AccountLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var sessions = await lifecycle.ListSessionsAsync(caller.Session, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<SessionResponse>>(sessions.Select(SessionResponse.From).ToList());
    }
}
