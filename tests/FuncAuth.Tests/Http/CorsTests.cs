using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>
/// Standalone CORS (README, "How it works"): under the Functions host the platform answers preflights, but run alone the app's
/// own middleware does, from <c>Cors__AllowedOrigins</c>. The shared app allows https://app.example.com.
/// </summary>
public sealed class CorsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string AllowedOrigin = "https://app.example.com";

    [Fact]
    public async Task APreflightFromAnAllowedOriginIsAnswered()
    {
        using var response = await azurite.App.CreateClient().SendAsync(Preflight("/api/auth/login", AllowedOrigin));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(AllowedOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", List(response, "Access-Control-Allow-Methods"));
        Assert.Superset(new HashSet<string> { "authorization", "content-type" }, List(response, "Access-Control-Allow-Headers").Select(h => h.ToLowerInvariant()).ToHashSet());
    }

    [Fact]
    public async Task ALoginFromAnAllowedOriginExposesTheAuthorizationHeader()
    {
        var client = azurite.App.CreateClient();
        var email = Api.NewEmail();
        await client.SignupAsync(email);
        var request = Api.Json(HttpMethod.Post, "/api/auth/login", new { email, password = Api.Password });
        request.Headers.Add("Origin", AllowedOrigin);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AllowedOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("authorization", List(response, "Access-Control-Expose-Headers").Select(h => h.ToLowerInvariant()));
        Assert.StartsWith("Bearer ", Header(response, "Authorization"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example.com")]
    [InlineData("http://app.example.com")] // another scheme is another origin
    [InlineData("https://app.example.com.evil.example")]
    [InlineData("https://app.example.com:8443")]
    [InlineData("null")]
    public async Task AnOriginNotInTheListGetsNoCorsHeaders(string origin)
    {
        var client = azurite.App.CreateClient();

        using var preflight = await client.SendAsync(Preflight("/api/auth/login", origin));
        var request = Api.Json(HttpMethod.Post, "/api/auth/login", new { email = Api.NewEmail(), password = Api.Password });
        request.Headers.Add("Origin", origin);
        using var actual = await client.SendAsync(request);

        foreach (var response in new[] { preflight, actual })
        {
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
            Assert.False(response.Headers.Contains("Access-Control-Expose-Headers"));
        }

        // The browser, not the server, refuses the answer: the request itself is handled as usual.
        await Problem.AssertAsync(actual, HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task EveryOriginOfACommaSeparatedListIsAllowed()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Cors__AllowedOrigins"] = "https://a.example.com, https://b.example.com" });
        var client = app.CreateClient();

        foreach (var origin in new[] { "https://a.example.com", "https://b.example.com" })
        {
            using var response = await client.SendAsync(Preflight("/api/users/0123456789abcdef0123456789abcdef/roles", origin, "PUT"));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(origin, Header(response, "Access-Control-Allow-Origin"));
        }

        using var other = await client.SendAsync(Preflight("/api/auth/login", AllowedOrigin));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method = "POST")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");
        return request;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.GetValues(name));

    private static IEnumerable<string> List(HttpResponseMessage response, string name) =>
        response.Headers.GetValues(name).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
