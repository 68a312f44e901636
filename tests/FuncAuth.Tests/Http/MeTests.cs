using System.Net;
using System.Net.Http.Headers;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Http;

public sealed class MeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly HttpClient _client = azurite.App.CreateClient();

    [Fact]
    public async Task MeReturnsExactlyTheCallersPublicProfile()
    {
        var user = await _client.SignupAsync(name: "Ann");

        using var response = await _client.GetAsync("/api/auth/me", user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(["amr", "authTime", "createdAt", "email", "emailVerified", "id", "mfaEnabled", "name", "roles"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var signedUp = user.Body.GetProperty("user");
        Assert.Equal(user.UserId, body.GetProperty("id").GetString());
        Assert.Equal(user.Email, body.GetProperty("email").GetString());
        Assert.Equal("Ann", body.GetProperty("name").GetString());
        Assert.Equal(["user"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(signedUp.GetProperty("createdAt").GetDateTimeOffset(), body.GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task MeAnswersForTheUserOfEachSession()
    {
        var ann = await _client.SignupAsync();
        var bob = await _client.SignupAsync();

        foreach (var user in new[] { ann, bob, await _client.LoginAsync(ann.Email) })
        {
            using var response = await _client.GetAsync("/api/auth/me", user.AccessToken);
            Assert.Equal(user.UserId, (await response.ReadJsonAsync()).GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task MeWithoutATokenIsTokenMissing()
    {
        using var response = await _client.GetAsync("/api/auth/me", accessToken: null);

        await Problem.AssertUnauthorizedAsync(response, "token_missing");
    }

    [Fact]
    public async Task MeWithAnotherAuthorizationSchemeIsTokenMissing()
    {
        var user = await _client.SignupAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("ann:secret"u8));

        using var response = await _client.SendAsync(request);

        await Problem.AssertUnauthorizedAsync(response, "token_missing");

        // Not even a valid access token counts when it is sent under another scheme.
        using var disguised = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        disguised.Headers.Authorization = new AuthenticationHeaderValue("Token", user.AccessToken);
        using var second = await _client.SendAsync(disguised);
        await Problem.AssertUnauthorizedAsync(second, "token_missing");
    }

    [Fact]
    public async Task MeWithAMalformedTokenIsTokenInvalid()
    {
        using var response = await _client.GetAsync("/api/auth/me", "not-a-jwt");

        await Problem.AssertUnauthorizedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task MeAcceptsATokenUntilItsLifetimeAndTheClockSkewHavePassed()
    {
        // Whole seconds, as in the token, so the deadline is exact.
        var now = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
        await using var app = await FuncAuthApp.StartAsync(azurite, time: time);
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        time.Advance(new TimeSpan(0, 14, 59));
        using (var live = await client.GetAsync("/api/auth/me", user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // Past exp, but within the 30 s allowed for clocks that disagree.
        time.Advance(new TimeSpan(0, 0, 30));
        using (var withinSkew = await client.GetAsync("/api/auth/me", user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, withinSkew.StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await client.GetAsync("/api/auth/me", user.AccessToken);
        await Problem.AssertUnauthorizedAsync(expired, "token_expired");
    }

    [Fact]
    public async Task MeWithATokenOfAnEndedSessionIsTokenRevoked()
    {
        var user = await _client.SignupAsync();
        using (var logout = await _client.SendAsync(Api.Authorized(HttpMethod.Post, "/api/auth/logout", user.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using var response = await _client.GetAsync("/api/auth/me", user.AccessToken);

        await Problem.AssertUnauthorizedAsync(response, "token_revoked");
    }
}
