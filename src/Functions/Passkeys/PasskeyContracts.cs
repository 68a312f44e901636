using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FuncAuth.Core.Passkeys;

namespace FuncAuth.Functions.Passkeys;

/// <summary><c>credential</c> is the browser's RegistrationResponseJSON (<c>PublicKeyCredential.toJSON()</c>).</summary>
public sealed record PasskeyRegisterRequest(JsonElement? Credential, string? Name);

/// <summary><c>credential</c> is the browser's AuthenticationResponseJSON; <c>challengeId</c> comes from the login options.</summary>
public sealed record PasskeyLoginRequest(string? ChallengeId, JsonElement? Credential);

public sealed record PasskeyResponse(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt)
{
    public static PasskeyResponse From(PasskeyInfo passkey) => new(passkey.Id, passkey.Name, passkey.CreatedAt, passkey.LastUsedAt);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PasskeyRegisterRequest))]
[JsonSerializable(typeof(PasskeyLoginRequest))]
[JsonSerializable(typeof(PasskeyResponse))]
[JsonSerializable(typeof(PasskeyResponse[]))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class PasskeyJsonContext : JsonSerializerContext;
