using FuncAuth.Core.Accounts.Admin;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace FuncAuth.Functions;

public static class ForceLogoutFunction
{
    public static IEndpointRouteBuilder MapForceLogout(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/users/{userId}/force-logout", HandleAsync).WithName("ForceLogout").RequireAuthorization(AccessTokenAuthentication.AdminPolicy)
            .RequireRecentProof(FuncAuth.Core.Sessions.ProofRequirement.RecentWithSecondFactor);
        return app;
    }

    /// <summary>Ends every session of the user; with <c>{ "apiKeys": true }</c> also revokes every API key (the body is optional).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        string userId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ForceLogoutRequest? body, Caller caller, UserAdministration admin,
        CancellationToken cancellationToken) =>
        await admin.ForceLogoutAsync(caller.Session.UserId, userId, apiKeys: body?.ApiKeys == true, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("No user has this id.");
}
