using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class HealthFunction
{
    private const string Healthy = "healthy";
    private const string Unhealthy = "unhealthy";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", HandleAsync).WithName("Health");
        return app;
    }

    /// <summary>Says which dependency is down and nothing more: no versions, names or error messages.</summary>
    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> HandleAsync(
        AuthTables tables, StorageWarmup warmup, SigningKeyRing keys, HttpResponse response, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        var checks = await Task.WhenAll(
            CheckAsync(async ct => { await tables.PingAsync(ct); return warmup.IsReady; }, timeout.Token),
            CheckAsync(async ct => (await keys.GetAsync(ct)).All.Count > 0, timeout.Token));
        var body = new HealthResponse(
            checks.All(c => c) ? Healthy : Unhealthy,
            new Dictionary<string, string> { ["storage"] = checks[0] ? Healthy : Unhealthy, ["signingKey"] = checks[1] ? Healthy : Unhealthy });
        response.Headers.CacheControl = "no-store";
        return checks.All(c => c) ? TypedResults.Ok(body) : TypedResults.Json(body, AppJsonContext.Default.HealthResponse, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<bool> CheckAsync(Func<CancellationToken, Task<bool>> check, CancellationToken cancellationToken)
    {
        try
        {
            return await check(cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
