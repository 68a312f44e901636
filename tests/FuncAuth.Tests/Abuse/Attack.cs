using System.Net.Http.Json;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Abuse;

/// <summary>
/// Requests as the Functions host forwards them on Azure: the app is behind a trusted hop on loopback, and the
/// platform's front end appended the client's real address to whatever X-Forwarded-For the client sent.
/// </summary>
public static class Attack
{
    public const string WrongPassword = "not the right password at all";

    /// <summary>A clock that stands still a minute into a day, so no fixed window ends in the middle of a test.</summary>
    public static FakeTimeProvider Clock() => new(new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddMinutes(1), TimeSpan.Zero));

    /// <summary>Settings of an app behind the host on loopback, with the limits on and optional overrides.</summary>
    public static Dictionary<string, string?> Limited(params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RateLimit__Enabled"] = "true",
            ["Network__TrustedProxies"] = "127.0.0.1,::1",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static Task<HttpResponseMessage> LoginFromAsync(this HttpClient client, string address, string email, string password, string? spoofed = null)
    {
        var request = Api.Json(HttpMethod.Post, "/api/auth/login", new { email, password });
        request.Headers.Add("X-Forwarded-For", spoofed is null ? address : $"{spoofed}, {address}");
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostFromAsync(this HttpClient client, string address, string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Forwarded-For", address);
        return client.SendAsync(request);
    }
}
