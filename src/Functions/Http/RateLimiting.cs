using System.Globalization;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Passwords;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The per-address limits and the hash bulkhead as endpoint filters, so any endpoint can take them.</summary>
public static class RateLimiting
{
    /// <summary>
    /// Counts each request against <paramref name="name"/> for the client address; over the limit, 429 and not counted.
    /// A request without a client's address (<see cref="ClientAddress.KeyOf"/>) is not counted: it fails safe.
    /// <paramref name="refuse"/> shapes the 429 for endpoints whose errors are not Problem Details (OAuth).
    /// </summary>
    public static TBuilder RequireAddressLimit<TBuilder>(this TBuilder builder, RateLimitName name, Func<HttpContext, int, IResult>? refuse = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (ClientAddress.KeyOf(http) is not { } address)
            {
                return await next(context);
            }

            var limiter = http.RequestServices.GetRequiredService<AbuseLimits>();
            var decision = await limiter.TryAcquireAsync(name, address, http.RequestAborted);
            return decision.Allowed ? await next(context) : (refuse ?? TooManyRequests)(http, decision.RetryAfterSeconds);
        });

    /// <summary>Holds a hash slot for the whole request (for endpoints that hash a password once); none free, 503.</summary>
    public static TBuilder RequireHashSlot<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            using var slot = await http.RequestServices.GetRequiredService<HashBulkhead>().TryEnterAsync(http.RequestAborted);
            return slot is null ? HashingBusy(http) : await next(context);
        });

    public static ProblemHttpResult TooManyRequests(HttpContext context, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return Problems.Create(ErrorCodes.RateLimited, "Too many requests; retry after the time in Retry-After.");
    }

    public static ProblemHttpResult HashingBusy(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        context.Response.Headers.CacheControl = "no-store";
        return Problems.Create(ErrorCodes.ServiceUnavailable, "The service is busy; retry later.");
    }
}
