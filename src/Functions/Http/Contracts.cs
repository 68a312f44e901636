using System.Text.Json.Serialization;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Sessions;

namespace FuncAuth.Functions.Http;

public sealed record SignupRequest(string? Email, string? Password, string? PasswordConfirmation, string? Name);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest([property: JsonPropertyName("refresh_token")] string? RefreshToken);

public sealed record LogoutRequest(string? Scope);

public sealed record SetRolesRequest(IReadOnlyList<string?>? Roles);

/// <summary>Re-authentication's body: exactly one proof.</summary>
/// <remarks><c>passkey</c> is an AuthenticationResponseJSON over the options of <c>POST /api/auth/passkeys/options</c>.</remarks>
public sealed record ReauthenticateRequest(string? Password, string? Code = null, string? RecoveryCode = null, System.Text.Json.JsonElement? Passkey = null);

public sealed record UserResponse(
    string Id, string Email, string? Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, bool EmailVerified,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Disabled = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? MfaEnabled = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? AuthTime = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Amr = null)
{
    public static UserResponse From(UserAccount user) => new(user.Id, user.Email, user.Name, user.Roles, user.CreatedAt, user.EmailVerified);

    /// <summary>The user as an admin sees it: with <c>disabled</c> and <c>mfaEnabled</c>.</summary>
    public static UserResponse ForAdmin(UserAccount user) => From(user) with { Disabled = user.Disabled, MfaEnabled = user.MfaEnabled };

    /// <summary>
    /// <c>me</c>: the user with <c>mfaEnabled</c>, and for a session (not an API key) how it was signed in: <c>authTime</c>
    /// (RFC 3339, whole seconds as in the token) and <c>amr</c>.
    /// </summary>
    public static UserResponse ForMe(UserAccount user, AuthenticatedSession? session) => From(user) with
    {
        MfaEnabled = user.MfaEnabled,
        AuthTime = session is null ? null : DateTimeOffset.FromUnixTimeSeconds(session.AuthTime.ToUnixTimeSeconds()),
        Amr = session?.Methods,
    };
}

/// <summary>RFC 6749 token response, plus the user.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("user")] UserResponse User,
    [property: JsonPropertyName("id_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IdToken = null,
    [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope = null)
{
    public static TokenResponse From(IssuedTokens tokens) =>
        new(tokens.AccessToken, "Bearer", tokens.ExpiresIn, tokens.RefreshToken, UserResponse.From(tokens.User));
}

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string> Checks);

/// <summary>The custom-handler invocation answer: the Functions host reads these exact (PascalCase) names.</summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SignupRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(LogoutRequest))]
[JsonSerializable(typeof(SetRolesRequest))]
[JsonSerializable(typeof(ReauthenticateRequest))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(InvocationResponse))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class AppJsonContext : JsonSerializerContext;
