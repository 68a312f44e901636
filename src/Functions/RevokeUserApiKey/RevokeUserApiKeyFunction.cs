using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class RevokeUserApiKeyFunction
{
    public static IEndpointRouteBuilder MapRevokeUserApiKey(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/users/{userId}/api-keys/{id}", HandleAsync).WithName("RevokeUserApiKey").RequireAuthorization(AccessTokenAuthentication.AdminPolicy)
            .RequireRecentProof(FuncAuth.Core.Sessions.ProofRequirement.RecentWithSecondFactor);
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        string userId, string id, Caller caller, ApiKeyService apiKeys, CancellationToken cancellationToken) =>
        await apiKeys.RevokeAsync(caller.Session.UserId, userId, id, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("This user has no API key with this id.");
}
