namespace FuncAuth.Functions.Http;

/// <summary>Wiring of the lifecycle endpoints that is not a route: the client's User-Agent for sessions.</summary>
public static class LifecycleSetup
{
    public static IServiceCollection AddFuncAuthLifecycleEdge(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<FuncAuth.Core.Sessions.IClientInfo, HttpClientInfo>();
        return services;
    }

    /// <summary>Personal data: no cache on the way may keep it.</summary>
    public static RouteHandlerBuilder NoStore(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(async (context, next) =>
    {
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        return await next(context);
    });

    private sealed class HttpClientInfo(IHttpContextAccessor accessor) : FuncAuth.Core.Sessions.IClientInfo
    {
        public string? UserAgent => accessor.HttpContext?.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null;

        public string? ClientAddress => accessor.HttpContext is { } context ? FuncAuth.Functions.Http.ClientAddress.Describe(context).Address : null;

        public string? ClientAddressClass => accessor.HttpContext is { } context ? FuncAuth.Functions.Http.ClientAddress.Describe(context).Class : "absent";
    }
}
