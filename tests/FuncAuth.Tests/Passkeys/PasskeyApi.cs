using System.Net;
using System.Text.Json.Nodes;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Passkeys;

/// <summary>The passkey calls a browser app makes, with a <see cref="SoftwareAuthenticator"/> in the browser's place.</summary>
public static class PasskeyApi
{
    public const string Origin = "https://app.example.com";

    public static async Task<JsonNode> RegistrationOptionsAsync(this HttpClient client, string accessToken)
    {
        using var response = await client.PostJsonAsync("/api/auth/passkeys/register/options", new { }, accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public static Task<HttpResponseMessage> SendRegistrationAsync(this HttpClient client, string accessToken, JsonObject credential, string? name = "Laptop") =>
        client.PostJsonAsync("/api/auth/passkeys/register", new JsonObject { ["credential"] = credential, ["name"] = name }, accessToken);

    /// <summary>Options, the authenticator's answer, registration: the passkey's id.</summary>
    public static async Task<string> RegisterPasskeyAsync(this HttpClient client, string accessToken, SoftwareAuthenticator authenticator, string name = "Laptop")
    {
        var options = await client.RegistrationOptionsAsync(accessToken);
        using var response = await client.SendRegistrationAsync(accessToken, authenticator.Register(options, Origin), name);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    public static async Task<JsonNode> SignInOptionsAsync(this HttpClient client)
    {
        using var response = await client.PostJsonAsync("/api/auth/passkeys/login/options", new { });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>Re-authenticates the session of <paramref name="accessToken"/> with the passkey: its new tokens carry <c>mfa</c>.</summary>
    public static async Task<Tokens> SteppedUpWithPasskeyAsync(this HttpClient client, string accessToken, SoftwareAuthenticator authenticator)
    {
        using var optionsResponse = await client.PostJsonAsync("/api/auth/passkeys/options", new { }, accessToken);
        Assert.Equal(HttpStatusCode.OK, optionsResponse.StatusCode);
        var options = JsonNode.Parse(await optionsResponse.Content.ReadAsStringAsync())!;
        using var stepped = await client.PostJsonAsync("/api/auth/reauthenticate", new JsonObject { ["passkey"] = authenticator.Assert(options, Origin) }, accessToken);
        Assert.Equal(HttpStatusCode.OK, stepped.StatusCode);
        return await Tokens.ReadAsync(stepped);
    }

    public static Task<HttpResponseMessage> SendSignInAsync(this HttpClient client, JsonNode options, JsonObject credential) =>
        client.PostJsonAsync("/api/auth/passkeys/login", new JsonObject { ["challengeId"] = options["challengeId"]!.GetValue<string>(), ["credential"] = credential });
}
