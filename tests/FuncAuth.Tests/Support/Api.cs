using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace FuncAuth.Tests.Support;

/// <summary>Small helpers that keep HTTP tests reading as sentences.</summary>
public static class Api
{
    public const string Password = "correct horse battery staple";

    public static string NewEmail(string tag = "user") => $"{tag}-{Guid.NewGuid():N}@example.com";

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body, string? accessToken = null) =>
        client.SendAsync(Json(HttpMethod.Post, path, body, accessToken));

    public static HttpRequestMessage Json(HttpMethod method, string path, object body, string? accessToken = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return request;
    }

    public static HttpRequestMessage Raw(HttpMethod method, string path, string body, string? contentType = "application/json") =>
        new(method, path)
        {
            Content = contentType is null
                ? new ByteArrayContent(Encoding.UTF8.GetBytes(body))
                : new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType)),
        };

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, string? accessToken) =>
        client.SendAsync(Authorized(HttpMethod.Get, path, accessToken));

    public static HttpRequestMessage Authorized(HttpMethod method, string path, string? accessToken)
    {
        var request = new HttpRequestMessage(method, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return request;
    }

    /// <summary>Signs up a fresh user and returns the token response.</summary>
    public static async Task<Tokens> SignupAsync(this HttpClient client, string? email = null, string? name = null, string password = Password)
    {
        using var response = await client.PostJsonAsync("/api/auth/signup", new
        {
            email = email ?? NewEmail(),
            password,
            passwordConfirmation = password,
            name,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await Tokens.ReadAsync(response);
    }

    public static async Task<Tokens> LoginAsync(this HttpClient client, string email, string password = Password)
    {
        using var response = await client.PostJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Tokens.ReadAsync(response);
    }

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostJsonAsync("/api/auth/refresh", new { refresh_token = refreshToken });

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}

/// <summary>A token response as a client sees it.</summary>
public sealed record Tokens(string AccessToken, string RefreshToken, string UserId, string Email, JsonElement Body)
{
    public static async Task<Tokens> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.ReadJsonAsync();
        return new(
            body.GetProperty("access_token").GetString()!,
            body.GetProperty("refresh_token").GetString()!,
            body.GetProperty("user").GetProperty("id").GetString()!,
            body.GetProperty("user").GetProperty("email").GetString()!,
            body);
    }
}

/// <summary>Asserts an RFC 9457 problem answer with the API's stable code.</summary>
public static class Problem
{
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("type").GetString()));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return body;
    }

    /// <summary>A 401 from an endpoint that takes an access token: also RFC 6750's challenge.</summary>
    public static async Task<JsonElement> AssertUnauthorizedAsync(HttpResponseMessage response, string code)
    {
        var body = await AssertAsync(response, HttpStatusCode.Unauthorized, code);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("error_description=", challenge.Parameter, StringComparison.Ordinal);
        return body;
    }
}
