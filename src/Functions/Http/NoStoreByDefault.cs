using Microsoft.Net.Http.Headers;

namespace FuncAuth.Functions.Http;

/// <summary>
/// Every answer is <c>Cache-Control: no-store</c> unless it says itself how it may be cached (only the public key set and
/// the discovery documents do). Tokens and personal data are in most answers (me, the admin answers, sessions, API
/// keys, the token responses): set in one place, no route can forget it (docs/api.md), errors included.
/// </summary>
public static class NoStoreByDefault
{
    public static IApplicationBuilder UseNoStoreByDefault(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            if (!headers.ContainsKey(HeaderNames.CacheControl))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    });
}
