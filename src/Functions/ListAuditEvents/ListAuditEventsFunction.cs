using FuncAuth.Core.Audit;
using FuncAuth.Functions.Audit;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ListAuditEventsFunction
{
    public static IEndpointRouteBuilder MapListAuditEvents(this IEndpointRouteBuilder app)
    {
        // The access token of a signed-in session only: an API key cannot read its owner's trail.
        app.MapGet("/api/auth/audit", HandleAsync).WithName("ListAuditEvents").RequireAuthorization().NoStore();
        return app;
    }

    /// <summary>The caller's events, newest first; <c>?limit=</c> (1–100, default 50) and <c>?cursor=</c> (the last answer's nextCursor).</summary>
    public static Task<Results<Ok<AuditPageResponse>, ProblemHttpResult>> HandleAsync(
        string? limit, string? cursor, Caller caller, AuditTrail trail, CancellationToken cancellationToken) =>
        AuditPages.ReadAsync(trail, caller.Session.UserId, limit, cursor, cancellationToken);
}
