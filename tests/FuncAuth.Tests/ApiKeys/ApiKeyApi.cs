using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.ApiKeys;

/// <summary>A created key as its owner sees it once.</summary>
public sealed record CreatedKey(string Id, string Key, JsonElement Body)
{
    /// <summary>The secret part: everything after fa_&lt;id&gt;_.</summary>
    public string Secret => Key[(3 + Id.Length + 1)..];
}

/// <summary>Helpers for the API-key tests.</summary>
public static class ApiKeyApi
{
    public static async Task<CreatedKey> CreateKeyAsync(this HttpClient client, string accessToken, string name = "ci job", string? scope = null, int? expiresInDays = null)
    {
        using var response = await client.PostJsonAsync("/api/auth/api-keys", new { name, scope, expiresInDays }, accessToken);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        return new(body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!, body);
    }

    public static Task<HttpResponseMessage> MeWithKeyAsync(this HttpClient client, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.TryAddWithoutValidation("X-API-Key", key);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> DeleteAsync(this HttpClient client, string path, string accessToken) =>
        client.SendAsync(Api.Authorized(HttpMethod.Delete, path, accessToken));

    /// <summary>
    /// Posts the client_credentials grant to <c>/oauth/token</c> as a form: <paramref name="fields"/> are the body fields
    /// (<c>grant_type</c> defaults to <c>client_credentials</c>), <paramref name="basic"/> an Authorization header value.
    /// Returns the status, headers and JSON body of the answer.
    /// </summary>
    public static async Task<(int Status, IHeaderDictionary Headers, JsonElement Body)> ClientCredentialsAsync(
        FuncAuthApp app, IReadOnlyDictionary<string, string?> fields, string? basic = null)
    {
        using var client = app.CreateClient();
        var form = fields.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
        form.TryAdd("grant_type", "client_credentials");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new FormUrlEncodedContent(form) };
        if (basic is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", basic);
        }

        using var response = await client.SendAsync(request);
        var headers = new HeaderDictionary();
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            headers[header.Key] = header.Value.ToArray();
        }

        var body = await response.Content.ReadAsByteArrayAsync();
        return ((int)response.StatusCode, headers, JsonDocument.Parse(body).RootElement.Clone());
    }

    public static string Basic(string id, string secret) =>
        "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.EscapeDataString(id) + ":" + Uri.EscapeDataString(secret)));

    public static Dictionary<string, string?> Fields(params (string Name, string? Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => f.Value);
}
