using System.Text.Json.Serialization;
using FuncAuth.Core.ApiKeys;

namespace FuncAuth.Functions.ApiKeys;

public sealed record CreateApiKeyRequest(string? Name, int? ExpiresInDays, string? Scope);

/// <summary>A key as listed: everything but the key.</summary>
public sealed record ApiKeyResponse(string Id, string Name, string Scope, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyResponse From(ApiKeyInfo key) => new(key.Id, key.Name, key.Scope, key.CreatedAt, key.ExpiresAt, key.LastUsedAt);
}

/// <summary>The create answer, the only one that holds <c>key</c>.</summary>
public sealed record CreatedApiKeyResponse(
    string Id, string Name, string Key, string Scope, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt)
{
    public static CreatedApiKeyResponse From(ApiKeyInfo key, string secret) =>
        new(key.Id, key.Name, secret, key.Scope, key.CreatedAt, key.ExpiresAt, key.LastUsedAt);
}

/// <summary>RFC 6749 §5.1 answer of the client_credentials grant: no refresh token (§4.4.3).</summary>
public sealed record ClientTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(ApiKeyResponse))]
[JsonSerializable(typeof(ApiKeyResponse[]))]
[JsonSerializable(typeof(CreatedApiKeyResponse))]
[JsonSerializable(typeof(ClientTokenResponse))]
internal sealed partial class ApiKeyJsonContext : JsonSerializerContext;
