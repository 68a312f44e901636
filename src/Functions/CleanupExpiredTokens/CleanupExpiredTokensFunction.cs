using System.Net;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Cleanup;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

/// <summary>
/// The timer function. The Functions host invokes it as POST /CleanupExpiredTokens with the custom-handler payload,
/// from the same machine; the route is not an HTTP trigger, so the host never forwards outside traffic to it. Run
/// standalone, it answers loopback callers only.
/// </summary>
public static class CleanupExpiredTokensFunction
{
    // Bounds one run's time; whatever is left is due in the next run.
    private const int MaxSessionsPerRun = 5000;

    public static IEndpointRouteBuilder MapCleanupExpiredTokens(this IEndpointRouteBuilder app)
    {
        app.MapPost("/CleanupExpiredTokens", HandleAsync).WithName("CleanupExpiredTokens").RequireHostInvocation();
        return app;
    }

    public static async Task<Results<Ok<InvocationResponse>, ProblemHttpResult>> HandleAsync(
        HttpContext context, SessionCleanup cleanup, ApiKeyCleanup apiKeyCleanup, AbuseLimits limits, FuncAuth.Core.Audit.AuditTrail audit, CancellationToken cancellationToken)
    {
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            return Problems.NotFound();
        }

        var report = await cleanup.RunAsync(MaxSessionsPerRun, cancellationToken);
        var line = $"Removed {report.Removed} expired or revoked session(s); refiled {report.Refiled}; visited {report.Visited} index entries.";
        line += $" Removed {await apiKeyCleanup.RunAsync(MaxSessionsPerRun, cancellationToken)} expired API key(s).";
        line += $" Removed {await audit.RemoveExpiredEventsAsync(MaxSessionsPerRun, cancellationToken)} audit event(s) older than Audit__Retention.";
        if (limits.Enabled)
        {
            line += $" Removed {await limits.RemoveExpiredAsync(MaxSessionsPerRun, cancellationToken)} ended rate-limit counter(s).";
        }

        return TypedResults.Ok(new InvocationResponse(new Dictionary<string, object?>(), [line], null));
    }
}
