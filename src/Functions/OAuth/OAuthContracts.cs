using System.Text.Json.Serialization;

namespace FuncAuth.Functions.OAuth;

/// <summary>One public key of the JWKS (RFC 7517 §4, RFC 7518 §6.2.1): never a private member.</summary>
public sealed record JsonWebKeyResponse(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("use")] string Use);

public sealed record JsonWebKeySetResponse([property: JsonPropertyName("keys")] IReadOnlyList<JsonWebKeyResponse> Keys);

/// <summary>Authorization server metadata (RFC 8414), also served as the OpenID Connect discovery document.</summary>
public sealed record DiscoveryResponse(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_methods_supported")] IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    [property: JsonPropertyName("subject_types_supported")] IReadOnlyList<string> SubjectTypesSupported,
    [property: JsonPropertyName("id_token_signing_alg_values_supported")] IReadOnlyList<string> IdTokenSigningAlgValuesSupported,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("userinfo_endpoint")] string UserInfoEndpoint,
    [property: JsonPropertyName("response_modes_supported")] IReadOnlyList<string> ResponseModesSupported,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethodsSupported,
    [property: JsonPropertyName("authorization_response_iss_parameter_supported")] bool AuthorizationResponseIssParameterSupported,
    [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported,
    [property: JsonPropertyName("claims_supported")] IReadOnlyList<string> ClaimsSupported);

/// <summary>The sign-in page's answer to an authorization request: <c>approve</c> true (a code) or false (access_denied).</summary>
public sealed record CompleteAuthorizationRequest(string? Request, bool? Approve);

/// <summary>Where the browser goes next: the client's redirect URI with the code or the error, <c>state</c> and <c>iss</c>.</summary>
public sealed record CompleteAuthorizationResponse(string RedirectTo);

/// <summary>A pending authorization request as the sign-in page shows it.</summary>
public sealed record AuthorizationRequestResponse(string ClientId, string ClientName, bool FirstParty, IReadOnlyList<string> Scopes);

/// <summary>OpenID Connect UserInfo claims (Core §5.1), the same as the ID token's user claims.</summary>
public sealed record UserInfoResponse(
    [property: JsonPropertyName("sub")] string Sub,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("email_verified")] bool EmailVerified,
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name)
{
    public static UserInfoResponse From(Core.Accounts.UserAccount user) => new(user.Id, user.Email, user.EmailVerified, user.Name is { Length: > 0 } name ? name : null);
}

/// <summary>An RFC 6749 §5.2 error answer.</summary>
public sealed record OAuthErrorResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription,
    [property: JsonPropertyName("mfa_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MfaToken = null,
    [property: JsonPropertyName("expires_in"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExpiresIn = null);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JsonWebKeySetResponse))]
[JsonSerializable(typeof(DiscoveryResponse))]
[JsonSerializable(typeof(OAuthErrorResponse))]
[JsonSerializable(typeof(CompleteAuthorizationRequest))]
[JsonSerializable(typeof(CompleteAuthorizationResponse))]
[JsonSerializable(typeof(AuthorizationRequestResponse))]
[JsonSerializable(typeof(UserInfoResponse))]
internal sealed partial class OAuthJsonContext : JsonSerializerContext;
