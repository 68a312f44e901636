using System.Diagnostics;
using System.Text.Json;
using FuncAuth.Core.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace FuncAuth.Functions.Http;

/// <summary>
/// Last line of defence: a bad request becomes its 4xx problem; anything else is a dependency failure (Table Storage,
/// Key Vault, SMTP under SendEmail) and becomes 503 with Retry-After. Never a 500, a stack trace or an exception message
/// on the wire. What the log says about it is <see cref="DependencyHealth"/>'s: one line per failure of a known class,
/// its stack trace once a minute, the stack trace every time for anything else.
/// </summary>
public sealed class ErrorHandling(DependencyHealth health) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        var problem = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.PayloadTooLarge(),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
                Problems.Create(ErrorCodes.UnsupportedMediaType, "Send the body as Content-Type: application/json."),
            BadHttpRequestException or JsonException =>
                Problems.Create(ErrorCodes.MalformedJson, "The body is not JSON of the expected shape."),
            _ => null,
        };

        if (problem is null)
        {
            health.Failed(exception, DependencyFailureClassifier.Classify(exception), Route(httpContext), TraceId(httpContext));
            if (httpContext.Request.Path.StartsWithSegments("/oauth", StringComparison.OrdinalIgnoreCase))
            {
                // The OAuth endpoints answer every error in RFC 6749's shape, a dependency failure too.
                await OAuth.OAuthError.TemporarilyUnavailable(DependencyRetryAfterSeconds).ExecuteAsync(httpContext);
                return true;
            }

            httpContext.Response.Headers.RetryAfter = DependencyRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            problem = Problems.Create(ErrorCodes.ServiceUnavailable, "A dependency is unavailable; retry later.");
        }

        httpContext.Response.Headers.CacheControl = "no-store";
        await problem.ExecuteAsync(httpContext);
        return true;
    }

    private const int DependencyRetryAfterSeconds = 5;

    /// <summary>
    /// The endpoint's route pattern (a metric tag must not carry ids), or <c>unmatched</c>. The exception handler clears
    /// the request's endpoint before it runs and keeps it in its feature.
    /// </summary>
    internal static string Route(HttpContext httpContext) =>
        (httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint()) is RouteEndpoint { RoutePattern.RawText: { } pattern }
            ? "/" + pattern.TrimStart('/')
            : "unmatched";

    /// <summary>The request's W3C trace id (the one Application Insights correlates on), else ASP.NET Core's request id.</summary>
    internal static string TraceId(HttpContext httpContext) =>
        Activity.Current is { } activity ? activity.TraceId.ToHexString() : httpContext.TraceIdentifier;
}
