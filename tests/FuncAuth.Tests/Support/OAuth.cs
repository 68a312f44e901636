using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FuncAuth.Tests.Support;

/// <summary>Calls to the OAuth endpoints, form-encoded or JSON, and the RFC 6749 §5.2 error assertion.</summary>
public static class OAuth
{
    public enum Encoding
    {
        Form,
        Json,
    }

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string path, Encoding encoding, params (string Name, string Value)[] fields) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = encoding == Encoding.Form
                ? new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)))
                : JsonContent.Create(fields.ToDictionary(f => f.Name, f => f.Value)),
        });

    public static Task<HttpResponseMessage> TokenAsync(this HttpClient client, Encoding encoding, params (string Name, string Value)[] fields) =>
        client.PostAsync("/oauth/token", encoding, fields);

    public static Task<HttpResponseMessage> RevokeAsync(this HttpClient client, Encoding encoding, params (string Name, string Value)[] fields) =>
        client.PostAsync("/oauth/revoke", encoding, fields);

    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, string error, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {error}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
        Assert.Equal(2, body.EnumerateObject().Count());
        return body;
    }
}
