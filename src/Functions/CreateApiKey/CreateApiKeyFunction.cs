using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class CreateApiKeyFunction
{
    public static IEndpointRouteBuilder MapCreateApiKey(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/api-keys", HandleAsync).WithName("CreateApiKey").RequireAuthorization().RequireRecentProof();
        return app;
    }

    public static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> HandleAsync(
        CreateApiKeyRequest body, Caller caller, ApiKeyService apiKeys, HttpResponse response, CancellationToken cancellationToken)
    {
        var result = await apiKeys.CreateAsync(caller.Session, body.Name, body.ExpiresInDays, body.Scope, cancellationToken);
        switch (result.Status)
        {
            case CreateApiKeyStatus.Created:
                // The only answer that ever holds the key: nothing on the way may keep it.
                response.Headers.CacheControl = "no-store";
                response.Headers.Pragma = "no-cache";
                return TypedResults.Created((string?)null, CreatedApiKeyResponse.From(result.Info!, result.Key!));
            case CreateApiKeyStatus.TooMany:
                return Problems.Create(
                    ErrorCodes.TooManyApiKeys, $"At most {ApiKeyService.MaxLiveKeysPerUser} live API keys per user; revoke one first.");
            default:
                return Problems.Validation(result.Errors!);
        }
    }
}
