using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace FuncAuth.Functions.Http;

/// <summary>
/// Last line of defence: a bad request becomes its 4xx problem; anything else is a dependency failure (Table Storage,
/// Key Vault) and becomes 503 with Retry-After. Never a 500, a stack trace or an exception message on the wire.
/// </summary>
public sealed partial class ErrorHandling(ILogger<ErrorHandling> logger) : IExceptionHandler
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
            LogDependencyFailure(logger, exception.GetType().Name, httpContext.Request.Path, exception);
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

    [LoggerMessage(2001, LogLevel.Error, "Request to {Path} failed on a dependency ({ExceptionType}); answered 503")]
    private static partial void LogDependencyFailure(ILogger logger, string exceptionType, PathString path, Exception exception);
}
