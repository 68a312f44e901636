namespace FuncAuth.Functions.Http;

/// <summary>Refuses bodies over 64 KiB before anything reads them.</summary>
public static class RequestLimits
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            // The body stays unread and is too large to drain, so the server closes the connection after this answer:
            // say so, or the client sends its next request into a connection that is closing (RFC 9112 §9.6).
            if (HttpProtocol.IsHttp11(context.Request.Protocol))
            {
                context.Response.Headers.Connection = "close";
            }

            await Problems.PayloadTooLarge().ExecuteAsync(context);
            return;
        }

        // Bodies without a length (chunked) are cut off by the server at the same limit while being read.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        await next(context);
    });
}
