namespace FuncAuth.Functions.OAuth;

/// <summary>The HTML answer of the authorization endpoint when it must not redirect: short, plain, never cached.</summary>
public static class ErrorPage
{
    public static IResult BadRequest(string message) => Page(StatusCodes.Status400BadRequest, "This sign-in link is not valid", message);

    public static IResult TooManyRequests(int retryAfterSeconds) =>
        new WithRetryAfter(Page(StatusCodes.Status429TooManyRequests, "Too many requests", "Wait a moment and try again."), retryAfterSeconds);

    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Page(int status, string title, string message) => TypedResults.Content(
        $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{Encode(title)}</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
        <h1 style="font-size: 1.4rem">{Encode(title)}</h1><p>{Encode(message)}</p><p>Go back to the application and try again, or contact its owner.</p>
        </body></html>
        """,
        "text/html; charset=utf-8",
        statusCode: status);

    private static string Encode(string text) => System.Net.WebUtility.HtmlEncode(text);

    private sealed class WithRetryAfter(IResult inner, int retryAfterSeconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
