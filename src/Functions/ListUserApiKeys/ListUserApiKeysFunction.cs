using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ListUserApiKeysFunction
{
    public static IEndpointRouteBuilder MapListUserApiKeys(this IEndpointRouteBuilder app)
    {
        // An admin read: an admin-scoped key's access token may call it, as GetUser (docs/api.md).
        app.MapGet("/api/users/{userId}/api-keys", HandleAsync).WithName("ListUserApiKeys").RequireAuthorization(AccessTokenAuthentication.AdminPolicy)
            .AcceptApiKeys(header: false);
        return app;
    }

    public static async Task<Results<Ok<ApiKeyResponse[]>, ProblemHttpResult>> HandleAsync(
        string userId, ApiKeyService apiKeys, HttpResponse response, CancellationToken cancellationToken)
    {
        var keys = await apiKeys.ListForUserAsync(userId, cancellationToken);
        if (keys is null)
        {
            return Problems.NotFound("No user has this id.");
        }

        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(keys.Select(ApiKeyResponse.From).ToArray());
    }
}
