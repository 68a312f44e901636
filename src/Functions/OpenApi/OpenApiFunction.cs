using FuncAuth.Functions.ApiReference;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;

namespace FuncAuth.Functions;

public static class OpenApiFunction
{
    public const string DocumentRoute = "/api/openapi.json";
    public const string ReferenceRoute = "/api/docs";
    private static readonly string[] PublicPrefixes = ["api/", "oauth/", ".well-known/"];

    /// <summary>The OpenAPI 3.1 document of every endpoint, built from the endpoints' own metadata plus the error table.</summary>
    public static IServiceCollection AddFuncAuthOpenApi(this IServiceCollection services)
    {
        // The document's schemas come from the same source-generated JSON contracts the endpoints write (no reflection).
        services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Add(OAuthJsonContext.Default));
        services.AddOpenApi(options =>
        {
            options.OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_1;
            // The timer and queue functions (POST /CleanupExpiredTokens, /SendEmail) are invocations of the Functions host,
            // never called by a client: the API is what lives under these three prefixes.
            options.ShouldInclude = description => PublicPrefixes.Any(p => description.RelativePath?.StartsWith(p, StringComparison.Ordinal) == true);
            options.AddDocumentTransformer(new ApiDocumentShape());
            options.AddOperationTransformer(new OperationOutcomes());
        });
        return services;
    }

    /// <summary>
    /// <c>GET /api/openapi.json</c> everywhere (it has a function.json); the interactive reference at <c>/api/docs</c> only in
    /// Development: it has no function.json, so the Functions host would never route it in Azure anyway.
    /// </summary>
    public static WebApplication MapOpenApiDocument(this WebApplication app)
    {
        app.MapOpenApi(DocumentRoute).WithName("OpenApi");
        if (app.Environment.IsDevelopment())
        {
            // Nothing leaves the machine: no telemetry, no fonts from Scalar's CDN, no Scalar-hosted agent or MCP server.
            app.MapScalarApiReference(ReferenceRoute, o => o
                .WithTitle("FuncAuth API")
                .WithOpenApiRoutePattern(DocumentRoute)
                .AddPreferredSecuritySchemes(ApiReference.ApiDocumentShape.BearerScheme)
                .DisableTelemetry()
                .DisableDefaultFonts()
                .DisableAgent()
                .DisableMcp());
        }

        return app;
    }
}
