using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class RevokeApiKeyFunction
{
    public static IEndpointRouteBuilder MapRevokeApiKey(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/auth/api-keys/{id}", HandleAsync).WithName("RevokeApiKey").RequireAuthorization();
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(string id, Caller caller, ApiKeyService apiKeys, CancellationToken cancellationToken) =>
        await apiKeys.RevokeAsync(caller.Session.UserId, caller.Session.UserId, id, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("You have no API key with this id.");
}
