using System.Net;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>
/// A cross-site form post (Sec-Fetch-Site: cross-site from an origin that is not allowed) to /oauth/token,
/// /oauth/revoke or any /api/auth/* POST is 403 before it does anything, so a web page cannot spend its visitors'
/// browsers on a victim's failed-login budget.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrossSiteTests(AzuriteFixture azurite)
{
    private const string Evil = "https://evil.example";
    private const string Allowed = "https://app.example.com";

    private static HttpRequestMessage Form(string path, string origin, string? site, params (string Key, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))),
        };
        request.Headers.Add("Origin", origin);
        if (site is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", site);
        }

        return request;
    }

    private static HttpRequestMessage JsonFrom(string path, object body, string origin, string? site)
    {
        var request = Api.Json(HttpMethod.Post, path, body);
        request.Headers.Add("Origin", origin);
        if (site is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", site);
        }

        return request;
    }

    [Fact]
    public async Task CrossSitePostsToTheAuthRoutesAreForbiddenAndTheOAuthRoutesAnswerTheOAuthWay()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        string[] authRoutes =
        [
            "/api/auth/login", "/api/auth/signup", "/api/auth/refresh", "/api/auth/logout", "/api/auth/password/forgot",
            "/api/auth/password/reset", "/api/auth/password/change", "/api/auth/verify-email", "/api/auth/verify-email/resend",
            "/api/auth/api-keys", "/API/Auth/Login",
        ];
        foreach (var path in authRoutes)
        {
            using var response = await client.SendAsync(JsonFrom(path, new { email = user.Email, password = Api.Password }, Evil, "cross-site"));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path} answered {(int)response.StatusCode}");
            await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        }

        foreach (var path in new[] { "/oauth/token", "/oauth/revoke" })
        {
            using var response = await client.SendAsync(Form(path, Evil, "cross-site", ("grant_type", "password"), ("username", user.Email), ("password", Api.Password), ("token", user.RefreshToken)));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var body = await response.ReadJsonAsync();
            Assert.Equal("invalid_request", body.GetProperty("error").GetString());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }

        // The refused revocation did nothing: the refresh token still works.
        using var refresh = await client.RefreshAsync(user.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    [Fact]
    public async Task AllowedOriginsSameSiteRequestsAndClientsWithoutFetchMetadataAreServed()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        (string Origin, string? Site)[] served = [(Allowed, "cross-site"), (Allowed.ToUpperInvariant(), "cross-site"), (Evil, "same-site"), (Evil, "same-origin"), (Evil, "none"), (Evil, null)];
        foreach (var (origin, site) in served)
        {
            using var login = await client.SendAsync(JsonFrom("/api/auth/login", new { email = user.Email, password = Api.Password }, origin, site));
            Assert.True(login.StatusCode == HttpStatusCode.OK, $"{origin} {site}: {(int)login.StatusCode}");
            using var token = await client.SendAsync(Form("/oauth/token", origin, site, ("grant_type", "password"), ("username", user.Email), ("password", Api.Password)));
            Assert.True(token.StatusCode == HttpStatusCode.OK, $"{origin} {site}: {(int)token.StatusCode}");
        }

        // Reads are not posts: a cross-site GET is CORS's business, not this check's.
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Authorization = new("Bearer", user.AccessToken);
        me.Headers.Add("Origin", Evil);
        me.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var meResponse = await client.SendAsync(me);
        Assert.Equal(HttpStatusCode.OK, meResponse.StatusCode);
    }

    [Fact]
    public async Task ACrossSitePostCannotSpendTheVictimsFailedLoginBudget()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(("RateLimit__LoginFailuresPerAccountAndAddress__Limit", "3")), Attack.Clock());
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        for (var i = 0; i < 10; i++)
        {
            var request = JsonFrom("/api/auth/login", new { email = user.Email, password = Attack.WrongPassword }, Evil, "cross-site");
            request.Headers.Add("X-Forwarded-For", "203.0.113.50");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var owner = await client.LoginFromAsync("203.0.113.50", user.Email, Api.Password);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }
}
