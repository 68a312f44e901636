using FuncAuth.Core.Audit;
using FuncAuth.Functions.Audit;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ListUserAuditEventsFunction
{
    public static IEndpointRouteBuilder MapListUserAuditEvents(this IEndpointRouteBuilder app)
    {
        // An admin with a signed-in session; not an API key's token (the trail holds addresses and devices of the user).
        app.MapGet("/api/users/{userId}/audit", HandleAsync).WithName("ListUserAuditEvents").RequireAuthorization(AccessTokenAuthentication.AdminPolicy).NoStore();
        return app;
    }

    /// <summary>
    /// A user's events, newest first, paged as the own trail. The trail outlives the account (it is kept for
    /// <c>Audit__Retention</c>), so a deleted user's id still answers with their events; an id of another form is 404.
    /// </summary>
    public static async Task<Results<Ok<AuditPageResponse>, ProblemHttpResult>> HandleAsync(
        string userId, string? limit, string? cursor, AuditTrail trail, CancellationToken cancellationToken)
    {
        if (!AuditTrail.IsUserId(userId))
        {
            return Problems.NotFound("No user has this id.");
        }

        return await AuditPages.ReadAsync(trail, userId, limit, cursor, cancellationToken);
    }
}
