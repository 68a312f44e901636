using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ListApiKeysFunction
{
    public static IEndpointRouteBuilder MapListApiKeys(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/api-keys", HandleAsync).WithName("ListApiKeys").RequireAuthorization();
        return app;
    }

    public static async Task<Ok<ApiKeyResponse[]>> HandleAsync(Caller caller, ApiKeyService apiKeys, HttpResponse response, CancellationToken cancellationToken)
    {
        var keys = await apiKeys.ListAsync(caller.Session.UserId, cancellationToken);
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(keys.Select(ApiKeyResponse.From).ToArray());
    }
}
