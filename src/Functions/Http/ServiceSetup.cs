using FuncAuth.Core;
using FuncAuth.Functions.Telemetry;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.Http;

public static class ServiceSetup
{
    /// <summary>The port the Functions host expects the handler on, else PORT, else 7071.</summary>
    public static string ListenUrl(IConfiguration configuration)
    {
        var port = new[] { configuration["FUNCTIONS_CUSTOMHANDLER_PORT"], configuration["PORT"] }.FirstOrDefault(p => !string.IsNullOrEmpty(p)) ?? "7071";
        return "http://127.0.0.1:" + port;
    }

    public static WebApplicationBuilder AddFuncAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddFuncAuthCore(builder.Configuration, builder.Environment.IsDevelopment());
        services.AddFuncAuthLifecycleEdge();

        // Request and response bodies go through the compile-time JSON contracts only, never reflection: a type missing
        // from them fails in every build and test run, not first in the Native AOT executable.
        services.Configure<JsonOptions>(o =>
        {
            var resolvers = o.SerializerOptions.TypeInfoResolverChain;
            resolvers.Clear();
            resolvers.Add(AppJsonContext.Default);
            resolvers.Add(LifecycleJsonContext.Default);
            resolvers.Add(FuncAuth.Functions.ApiKeys.ApiKeyJsonContext.Default);
            resolvers.Add(FuncAuth.Functions.Audit.AuditJsonContext.Default);
            resolvers.Add(FuncAuth.Functions.OAuth.OAuthJsonContext.Default);
            resolvers.Add(FuncAuth.Functions.Passkeys.PasskeyJsonContext.Default);
            resolvers.Add(MfaJsonContext.Default);
        });
        // Binding failures throw, so ErrorHandling turns them into the API's problem codes instead of bare 400s.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Statuses the framework answers itself (unknown route, wrong method, wrong content type) get a code too.
            context.ProblemDetails.Extensions.TryAdd("code", (context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => ErrorCodes.NotFound,
                StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
                StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
                >= 500 => ErrorCodes.ServiceUnavailable,
                _ => ErrorCodes.MalformedJson,
            }).Code);
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => "No such resource.",
                StatusCodes.Status405MethodNotAllowed => "This resource does not support the request's method.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as Content-Type: application/json.",
                _ => context.ProblemDetails.Title,
            };
        });
        services.AddExceptionHandler<ErrorHandling>();

        services.AddAccessTokenAuthentication();

        services.AddOptions<CorsSettings>().Bind(builder.Configuration.GetSection("Cors"));
        services.AddCors();
        OAuth.LoginPage.Register(services);
        OAuth.TokenGrants.Register(services);
        services.AddOptions<CorsOptions>().Configure<IOptions<CorsSettings>>((cors, settings) => cors.AddDefaultPolicy(p => p
            .WithOrigins(settings.Value.Origins)
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch)
            .WithHeaders("Authorization", "Content-Type")
            .WithExposedHeaders("Authorization", "Location", "WWW-Authenticate", "Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));

        services.AddFuncAuthAbuseEdge(builder.Configuration);
        builder.AddFuncAuthTelemetry();

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes;
            k.AddServerHeader = false;
        });
        return builder;
    }

    public static WebApplication UseFuncAuth(this WebApplication app)
    {
        app.UseNoStoreByDefault();
        app.UseExceptionHandler();
        app.UseRequestDeadline();
        app.UseStatusCodePages();
        app.UseBodyLimit();
        app.UseCors();
        app.UseCrossSiteRefusal();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
