using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FuncAuth.Functions.ApiReference;

/// <summary>
/// The parts of the document that belong to no single endpoint: title, security schemes, the Problem Details schema,
/// and the document's own route. No servers: the document is the same wherever it is served, and relative to it.
/// </summary>
internal sealed class ApiDocumentShape : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";
    public const string ApiKeyScheme = "apiKey";
    public const string ClientBasicScheme = "clientBasic";
    public const string ProblemDetailsSchema = "ProblemDetails";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "FuncAuth",
            Version = "2",
            Description = "Email and password sign-up and login, JWT access tokens (ES256), rotating refresh tokens, sessions, API keys and administration. Errors are RFC 9457 Problem Details with a stable `code` (listed per response in `x-error-codes`), except on /oauth/*, which answer the RFC 6749 way.",
        };
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from sign-up, login, refresh or /oauth/token: `Authorization: Bearer <token>`.",
        };
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-API-Key",
            Description = "An API key as shown at creation (`fa_<id>_<secret>`); accepted by GET /api/auth/me.",
        };
        document.Components.SecuritySchemes[ClientBasicScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "client_credentials grant: user name = the API key's id, password = the whole API key.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemDetailsSchema] = ProblemDetails();

        document.Paths ??= [];
        document.Paths[OpenApiFunction.DocumentRoute] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "OpenApi",
                    Tags = new HashSet<OpenApiTagReference> { new(OperationOutcomes.TagOf("api/openapi.json"), document) },
                    Summary = "This document.",
                    Responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "The OpenAPI 3.1 document.", Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() } } },
                },
            },
        };

        // Only the area tags of OperationOutcomes, in the order they first appear (the generator also adds one per class).
        document.Tags = new HashSet<OpenApiTag>(document.Paths.Values
            .SelectMany(p => p.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(o => o.Tags?.AsEnumerable() ?? [])
            .Select(t => t.Name!)
            .Distinct()
            .Select(t => new OpenApiTag { Name = t }));
        return Task.CompletedTask;
    }

    private static OpenApiSchema ProblemDetails() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 Problem Details with the stable error `code`.",
        Required = new HashSet<string> { "status", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable error code: branch on this, never on the text." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "validation_failed only: messages per field.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };
}
