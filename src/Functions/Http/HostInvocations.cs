using System.Net;

namespace FuncAuth.Functions.Http;

/// <summary>
/// For functions that only the Functions host may invoke (the timer's CleanupExpiredTokens, a queue's SendEmail). The
/// host calls them directly at <c>127.0.0.1</c> with a body of its own and nothing but its own headers. An HTTP
/// request the host proxies instead carries the client's headers: its public Host (which the host sets from the front
/// end's DISGUISED-HOST), and the front end's forwarding headers. So a request is refused with 404, as if the route did
/// not exist, when it does not come from loopback, when its Host is not a loopback name, or when it carries any
/// forwarding header. The check sits on the endpoint, so every spelling of the path that routing maps to it (case,
/// percent-encoding, dot segments, a trailing slash) meets it.
/// </summary>
public static class HostInvocations
{
    // Headers a proxy or a front end adds; the host's own invocations carry none of them.
    private static readonly string[] ForwardingHeaders =
    [
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix",
        "X-Original-URL", "X-Original-Host", "X-Original-For", "X-Real-IP", "X-Client-IP", "Client-IP", "Disguised-Host",
        "X-ARR-LOG-ID", "X-ARR-SSL", "X-AppService-Proto", "X-WAWS-Unencoded-URL", "X-Site-Deployment-Id", "Was-Default-Hostname",
        "X-MS-Client-Principal", "X-Azure-ClientIP", "X-Azure-SocketIP", "X-Azure-FDID", "Via",
    ];

    public static TBuilder RequireHostInvocation<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            IsHostInvocation(context.HttpContext.Request, context.HttpContext.Connection.RemoteIpAddress)
                ? await next(context)
                : Problems.NotFound());

    public static bool IsHostInvocation(HttpRequest request, IPAddress? remote)
    {
        if (remote is null || !IPAddress.IsLoopback(remote))
        {
            return false;
        }

        foreach (var header in ForwardingHeaders)
        {
            if (request.Headers.ContainsKey(header))
            {
                return false;
            }
        }

        var host = request.Host;
        return !host.HasValue || IsLoopbackName(host.Host);
    }

    private static bool IsLoopbackName(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
