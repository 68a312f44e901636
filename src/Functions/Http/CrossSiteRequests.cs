using FuncAuth.Functions.OAuth;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.Http;

/// <summary>
/// Refuses cross-site form posts (docs/api.md). A web page on any site can make its visitors' browsers post a form to
/// <c>/oauth/token</c> or <c>/api/auth/login</c> (a form post needs no CORS preflight), and so spend a victim's
/// failed-login budget from many addresses. Browsers say where such a request comes from: a <c>POST</c> to
/// <c>/oauth/token</c>, <c>/oauth/revoke</c> or any <c>/api/auth/*</c> route with <c>Sec-Fetch-Site: cross-site</c>
/// and an <c>Origin</c> that is not one of <c>Cors__AllowedOrigins</c> is answered 403 before anything else runs
/// (<c>forbidden</c>, or <c>invalid_request</c> in the OAuth shape at <c>/oauth/*</c>). Servers and apps send no
/// <c>Sec-Fetch-Site</c> and are not affected. The routes are told by the matched endpoint, so every spelling of a path
/// that routing maps to one meets the check.
/// </summary>
public static class CrossSiteRequests
{
    public static IApplicationBuilder UseCrossSiteRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsPost(context.Request.Method)
            && Guarded(context.GetEndpoint()) is { } route
            && IsCrossSite(context.Request, context.RequestServices.GetRequiredService<IOptions<CorsSettings>>().Value.Origins))
        {
            IResult refusal = route.StartsWith("/oauth/", StringComparison.Ordinal)
                ? OAuthError.Forbidden("Cross-site form posts are refused.")
                : Problems.Create(ErrorCodes.Forbidden, "Cross-site form posts are refused.");
            await refusal.ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>Whether the browser says the request comes from another site whose origin is not allowed.</summary>
    public static bool IsCrossSite(HttpRequest request, IReadOnlyCollection<string> allowedOrigins)
    {
        if (!string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var origin = request.Headers.Origin;
        return origin.Count != 1 || !allowedOrigins.Contains(origin[0]!.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The route pattern of an endpoint this check covers, or null.</summary>
    private static string? Guarded(Endpoint? endpoint) =>
        (endpoint as RouteEndpoint)?.RoutePattern.RawText is { } route
        && (route.StartsWith("/api/auth/", StringComparison.OrdinalIgnoreCase) || route is "/oauth/token" or "/oauth/revoke")
            ? route
            : null;
}
