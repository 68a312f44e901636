using System.Text.Json.Nodes;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FuncAuth.Functions.ApiReference;

/// <summary>
/// Adds to each operation what its handler's signature cannot say: every Problem Details answer with the codes it can
/// carry (in the description and in <c>x-error-codes</c>), the security it needs, and the OAuth endpoints' form bodies,
/// token answers and RFC 6749 errors.
/// </summary>
internal sealed class OperationOutcomes : IOpenApiOperationTransformer
{
    public const string ErrorCodesExtension = "x-error-codes";
    private static readonly ApiError[] AccessTokenErrors = [ErrorCodes.TokenMissing, ErrorCodes.TokenInvalid, ErrorCodes.TokenExpired, ErrorCodes.TokenRevoked];
    private static readonly ApiError[] JsonBodyErrors = [ErrorCodes.MalformedJson, ErrorCodes.PayloadTooLarge, ErrorCodes.UnsupportedMediaType];

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        await DescribeAsync(operation, context, cancellationToken);
        var responses = operation.Responses!;
        var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in sorted)
        {
            responses[status] = response;
        }
    }

    /// <summary>The tag groups the reference by area, from the route.</summary>
    public static string TagOf(string route) => route switch
    {
        _ when route.StartsWith("oauth/", StringComparison.Ordinal) || route.StartsWith("api/oauth/", StringComparison.Ordinal) => "OAuth",
        _ when route.StartsWith(".well-known/", StringComparison.Ordinal) => "Discovery",
        _ when route.Contains("api-keys", StringComparison.Ordinal) => "API keys",
        _ when route.StartsWith("api/auth/", StringComparison.Ordinal) => "Account",
        _ when route.StartsWith("api/users", StringComparison.Ordinal) => "Administration",
        _ => "Service",
    };

    private static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var name = metadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName
            ?? throw new InvalidOperationException($"The endpoint {context.Description.RelativePath} has no name.");
        var document = context.Document ?? throw new InvalidOperationException("The operation has no document.");
        operation.Responses ??= [];
        operation.Tags = new HashSet<OpenApiTagReference> { new(TagOf(context.Description.RelativePath ?? ""), document) };
        if (metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { HttpMethods.Count: > 1 })
        {
            // One handler for several methods (logout): each operation still needs its own id.
            operation.OperationId = name + char.ToUpperInvariant(context.Description.HttpMethod![0]) + context.Description.HttpMethod[1..].ToLowerInvariant();
        }

        if (EndpointErrors.OAuthByEndpoint.TryGetValue(name, out var oauthErrors))
        {
            await DescribeOAuthAsync(name, operation, context, oauthErrors, cancellationToken);
            return;
        }

        if (!EndpointErrors.ByEndpoint.TryGetValue(name, out var specific))
        {
            throw new InvalidOperationException($"The endpoint {name} has no entry in EndpointErrors: list the error codes it answers.");
        }

        var errors = new List<ApiError>();
        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        var acceptsKeys = metadata.OfType<AcceptsApiKeys>().LastOrDefault();
        if (authorize.Count > 0)
        {
            errors.AddRange(AccessTokenErrors);
            // Admin endpoints refuse users without the role; session-only endpoints refuse tokens issued to API keys.
            if (authorize.Any(a => a.Policy == AccessTokenAuthentication.AdminPolicy) || acceptsKeys is not { Tokens: true })
            {
                errors.Add(ErrorCodes.Forbidden);
            }

            if (acceptsKeys is { Header: true })
            {
                errors.Add(ErrorCodes.InvalidApiKey);
            }

            operation.Security = acceptsKeys is { Header: true }
                ? [Requirement(ApiDocumentShape.BearerScheme, document), Requirement(ApiDocumentShape.ApiKeyScheme, document)]
                : [Requirement(ApiDocumentShape.BearerScheme, document)];
        }

        if (operation.RequestBody is not null)
        {
            errors.AddRange(JsonBodyErrors);
        }

        errors.AddRange(specific);
        if (string.Equals(context.Description.HttpMethod, HttpMethods.Post, StringComparison.OrdinalIgnoreCase)
            && (context.Description.RelativePath ?? "").StartsWith("api/auth/", StringComparison.OrdinalIgnoreCase))
        {
            // A cross-site form post is refused before anything else (CrossSiteRequests).
            errors.Add(ErrorCodes.Forbidden);
        }

        errors.Add(ErrorCodes.ServiceUnavailable);

        if (name == "Health")
        {
            // Health says which dependency is down in its own body, not as a problem.
            errors.Remove(ErrorCodes.ServiceUnavailable);
            operation.Responses["503"] = new OpenApiResponse
            {
                Description = "A dependency is down; the body says which.",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(HealthResponse), null, cancellationToken) } },
            };
        }

        await DescribeSuccessAsync(name, operation, context, cancellationToken);
        foreach (var group in errors.Distinct().GroupBy(e => e.Status).OrderBy(g => g.Key))
        {
            var codes = group.Select(e => e.Code).ToArray();
            operation.Responses[group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = "Problem Details; `code`: " + string.Join(", ", codes.Select(c => $"`{c}`")) + ".",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ApiDocumentShape.ProblemDetailsSchema, document) } },
                Headers = RetryAfter(group.Key),
                Extensions = new Dictionary<string, IOpenApiExtension> { [ErrorCodesExtension] = CodesExtension(codes) },
            };
        }
    }

    /// <summary>Token answers are custom results (they set headers), so their bodies are described here.</summary>
    private static async Task DescribeSuccessAsync(string name, OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadataSchema = name switch
        {
            "Jwks" => await SchemaAsync<JsonWebKeySetResponse>(context, cancellationToken),
            "OpenIdConfiguration" or "AuthorizationServerMetadata" => await SchemaAsync<DiscoveryResponse>(context, cancellationToken),
            _ => null,
        };
        if (metadataSchema is not null)
        {
            operation.Responses!["200"] = new OpenApiResponse
            {
                Description = name == "Jwks" ? "The public keys (RFC 7517). `Cache-Control: public, max-age=300`." : "Authorization server metadata (RFC 8414).",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = metadataSchema } },
            };
        }

        if (name == "OAuthAuthorize")
        {
            operation.Description = "RFC 6749 §4.1.1 with PKCE S256 (RFC 7636) and `iss` in the redirect (RFC 9207). See docs/api.md, \"Authorization code\".";
            operation.Responses!.Remove("200");
            operation.Responses["302"] = new OpenApiResponse
            {
                Description = "Valid: to the sign-in page with `request=<id>`. Any other error: back to the redirect URI with `error`, `state` and `iss`.",
            };
            operation.Responses["400"] = new OpenApiResponse
            {
                Description = "HTML page, never a redirect: unknown `client_id`, or a `redirect_uri` not registered for it exactly.",
                Content = new Dictionary<string, OpenApiMediaType> { ["text/html"] = new() },
            };
            operation.Responses["429"] = new OpenApiResponse { Description = "HTML page: too many requests from this address.", Headers = RetryAfter(429) };
        }

        var status = name switch
        {
            "Signup" => "201",
            "Login" or "Refresh" => "200",
            _ => null,
        };
        if (status is not null)
        {
            operation.Responses!.Remove("200");
            operation.Responses[status] = new OpenApiResponse
            {
                Description = "Signed in: an access token and a refresh token. `Cache-Control: no-store`.",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = await SchemaAsync<TokenResponse>(context, cancellationToken) } },
            };
        }
    }

    private static async Task DescribeOAuthAsync(
        string name, OpenApiOperation operation, OpenApiOperationTransformerContext context, (int Status, string[] Codes)[] errors, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var form = name == "OAuthToken" ? TokenRequestSchema() : RevokeRequestSchema();
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/x-www-form-urlencoded"] = new() { Schema = form },
                ["application/json"] = new() { Schema = form },
            },
        };
        operation.Responses!.Clear();
        if (name == "OAuthToken")
        {
            operation.Description = "RFC 6749 token endpoint: grant_type `authorization_code` (PKCE; a registered client), `password`, `refresh_token`, or `client_credentials` with an API key as client credentials (HTTP Basic, or client_id and client_secret fields).";
            // Client authentication is needed by client_credentials only; the other grants are anonymous.
            operation.Security = [new OpenApiSecurityRequirement(), Requirement(ApiDocumentShape.ClientBasicScheme, document)];
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "Tokens. `Cache-Control: no-store`. client_credentials has no refresh token and no user; authorization_code adds `scope`, and `id_token` for scope openid.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            OneOf =
                            [
                                await SchemaAsync<TokenResponse>(context, cancellationToken),
                                await SchemaAsync<ClientTokenResponse>(context, cancellationToken),
                            ],
                        },
                    },
                },
            };
        }
        else
        {
            operation.Description = "RFC 7009: ends the session of a refresh or access token. 200 for any well-formed request, also for an unknown or spent token.";
            operation.Responses["200"] = new OpenApiResponse { Description = "Revoked, or nothing to revoke. Empty body." };
        }

        var errorSchema = await SchemaAsync<OAuthErrorResponse>(context, cancellationToken);
        foreach (var (status, codes) in errors)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = "OAuth error (RFC 6749 §5.2); `error`: " + string.Join(", ", codes.Select(c => $"`{c}`")) + ".",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = errorSchema } },
                Headers = RetryAfter(status),
                Extensions = new Dictionary<string, IOpenApiExtension> { [ErrorCodesExtension] = CodesExtension(codes) },
            };
        }
    }

    /// <summary>A reference to the type's schema in the components, added there on first use.</summary>
    private static async Task<IOpenApiSchema> SchemaAsync<T>(OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var id = typeof(T).Name;
        if (document.Components?.Schemas?.ContainsKey(id) != true)
        {
            document.AddComponent(id, await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken));
        }

        return new OpenApiSchemaReference(id, document);
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    private static JsonNodeExtension CodesExtension(IEnumerable<string> codes) =>
        new(new JsonArray(codes.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()));

    private static Dictionary<string, IOpenApiHeader>? RetryAfter(int status) =>
        status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable
            ? new() { ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } } }
            : null;

    private static OpenApiSchema TokenRequestSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "grant_type" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["grant_type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("authorization_code"), JsonValue.Create("password"), JsonValue.Create("refresh_token"), JsonValue.Create("client_credentials")] },
            ["code"] = String("authorization_code grant: the code from the redirect."),
            ["redirect_uri"] = String("authorization_code grant: the redirect URI of the authorization request."),
            ["code_verifier"] = String("authorization_code grant: the PKCE verifier (RFC 7636)."),
            ["username"] = String("password grant: the email (or `email`)."),
            ["email"] = String("password grant: the email (or `username`)."),
            ["password"] = String("password grant."),
            ["refresh_token"] = String("refresh_token grant."),
            ["client_id"] = String("authorization_code: the registered client's id; client_credentials without HTTP Basic: the API key's id."),
            ["client_secret"] = String("client_credentials without HTTP Basic: the whole API key (`fa_<id>_<secret>`)."),
            ["scope"] = String("client_credentials: a narrower scope than the key's."),
        },
    };

    private static OpenApiSchema RevokeRequestSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "token" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["token"] = String("A refresh token or an access token."),
            ["token_type_hint"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("refresh_token"), JsonValue.Create("access_token")] },
        },
    };

    private static OpenApiSchema String(string description) => new() { Type = JsonSchemaType.String, Description = description };
}
