using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using static FuncAuth.Tests.Support.OAuth;

namespace FuncAuth.Tests.Http;

/// <summary>POST /oauth/token: the password and refresh_token grants in form and JSON, and every RFC 6749 §5.2 error.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OAuthTokenTests(AzuriteFixture azurite)
{
    private readonly HttpClient _client = azurite.App.CreateClient();

    [Theory]
    [InlineData(OAuth.Encoding.Form, "username")]
    [InlineData(OAuth.Encoding.Json, "username")]
    [InlineData(OAuth.Encoding.Form, "email")]
    [InlineData(OAuth.Encoding.Json, "email")]
    public async Task ThePasswordGrantOpensANewSessionLikeLogin(OAuth.Encoding encoding, string loginField)
    {
        var signup = await _client.SignupAsync();

        using var response = await _client.TokenAsync(encoding, ("grant_type", "password"), (loginField, signup.Email), ("password", Api.Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var tokens = await Tokens.ReadAsync(response);
        Assert.Equal("Bearer", tokens.Body.GetProperty("token_type").GetString());
        Assert.Equal(900, tokens.Body.GetProperty("expires_in").GetInt32());
        Assert.Equal(signup.UserId, tokens.UserId);
        Assert.NotEqual(new JsonWebToken(signup.AccessToken).GetClaim("sid").Value, new JsonWebToken(tokens.AccessToken).GetClaim("sid").Value);
        using var me = await _client.GetAsync("/api/auth/me", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Theory]
    [InlineData(OAuth.Encoding.Form)]
    [InlineData(OAuth.Encoding.Json)]
    public async Task TheRefreshTokenGrantRotatesLikeRefresh(OAuth.Encoding encoding)
    {
        var signup = await _client.SignupAsync();

        using var response = await _client.TokenAsync(encoding, ("grant_type", "refresh_token"), ("refresh_token", signup.RefreshToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refreshed = await Tokens.ReadAsync(response);
        Assert.NotEqual(signup.RefreshToken, refreshed.RefreshToken);
        // The same rotation as /api/auth/refresh: the new token works there, and the old access token is no longer current.
        using var next = await _client.RefreshAsync(refreshed.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        using var old = await _client.GetAsync("/api/auth/me", signup.AccessToken);
        await Problem.AssertUnauthorizedAsync(old, "token_revoked");
    }

    [Theory]
    [InlineData(OAuth.Encoding.Form)]
    [InlineData(OAuth.Encoding.Json)]
    public async Task AWrongPasswordAndAnUnknownUserAreTheSameInvalidGrant(OAuth.Encoding encoding)
    {
        var signup = await _client.SignupAsync();

        using var wrong = await _client.TokenAsync(encoding, ("grant_type", "password"), ("username", signup.Email), ("password", "not the password"));
        using var unknown = await _client.TokenAsync(encoding, ("grant_type", "password"), ("username", Api.NewEmail()), ("password", Api.Password));

        var first = await AssertErrorAsync(wrong, "invalid_grant");
        var second = await AssertErrorAsync(unknown, "invalid_grant");
        Assert.Equal(first.GetRawText(), second.GetRawText());
    }

    [Theory]
    [InlineData(OAuth.Encoding.Form, "implicit")]
    [InlineData(OAuth.Encoding.Json, "urn:ietf:params:oauth:grant-type:device_code")]
    [InlineData(OAuth.Encoding.Form, "urn:ietf:params:oauth:grant-type:device_code")]
    [InlineData(OAuth.Encoding.Form, "urn:ietf:params:oauth:grant-type:jwt-bearer")]
    public async Task AGrantThisServerDoesNotOfferIsUnsupportedGrantType(OAuth.Encoding encoding, string grantType)
    {
        using var response = await _client.TokenAsync(encoding, ("grant_type", grantType), ("client_id", "x"), ("client_secret", "y"));

        await AssertErrorAsync(response, "unsupported_grant_type");
    }

    [Theory]
    [InlineData(OAuth.Encoding.Form)]
    [InlineData(OAuth.Encoding.Json)]
    public async Task ClientCredentialsWithAKeyThatDoesNotExistIsInvalidClient(OAuth.Encoding encoding)
    {
        var id = new string('a', 48);
        using var response = await _client.TokenAsync(encoding, ("grant_type", "client_credentials"), ("client_id", id), ("client_secret", $"fa_{id}_{new string('b', 43)}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(OAuth.Encoding.Form, "no grant_type")]
    [InlineData(OAuth.Encoding.Json, "no grant_type")]
    [InlineData(OAuth.Encoding.Form, "password grant without password")]
    [InlineData(OAuth.Encoding.Json, "password grant without username")]
    [InlineData(OAuth.Encoding.Form, "password grant with username and a different email")]
    [InlineData(OAuth.Encoding.Json, "refresh grant without refresh_token")]
    [InlineData(OAuth.Encoding.Form, "empty grant_type")]
    public async Task AMissingFieldIsInvalidRequest(OAuth.Encoding encoding, string shape)
    {
        (string, string)[] fields = shape switch
        {
            "no grant_type" => [("username", "a@example.com"), ("password", Api.Password)],
            "password grant without password" => [("grant_type", "password"), ("username", "a@example.com")],
            "password grant without username" => [("grant_type", "password"), ("password", Api.Password)],
            "password grant with username and a different email" => [("grant_type", "password"), ("username", "a@example.com"), ("email", "b@example.com"), ("password", Api.Password)],
            "refresh grant without refresh_token" => [("grant_type", "refresh_token")],
            _ => [("grant_type", ""), ("username", "a@example.com"), ("password", Api.Password)],
        };

        using var response = await _client.TokenAsync(encoding, fields);

        await AssertErrorAsync(response, "invalid_request");
    }

    [Theory]
    [InlineData("grant_type=password&grant_type=refresh_token&refresh_token=x", "application/x-www-form-urlencoded")]
    [InlineData("grant_type=refresh_token&refresh_token=a&refresh_token=b", "application/x-www-form-urlencoded")]
    [InlineData("{\"grant_type\":\"refresh_token\",\"refresh_token\":\"a\",\"refresh_token\":\"b\"}", "application/json")]
    [InlineData("{\"grant_type\":\"password\",\"username\":[\"a@example.com\"],\"password\":\"x\"}", "application/json")]
    [InlineData("{\"grant_type\":", "application/json")]
    [InlineData("[\"grant_type\",\"password\"]", "application/json")]
    [InlineData("grant_type=password&username=a%40example.com&password=x", "text/plain")]
    [InlineData("grant_type=password&username=a%40example.com&password=x", null)]
    [InlineData("--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--b--\r\n", "multipart/form-data; boundary=b")]
    public async Task ARepeatedFieldOrABodyOfAnotherShapeIsInvalidRequest(string body, string? contentType)
    {
        using var response = await _client.SendAsync(Api.Raw(HttpMethod.Post, "/oauth/token", body, contentType));

        await AssertErrorAsync(response, "invalid_request");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c.d.e")]
    public async Task ABadRefreshTokenIsInvalidGrant(string token)
    {
        using var response = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", token));

        await AssertErrorAsync(response, "invalid_grant");
    }

    [Fact]
    public async Task AnExpiredRefreshTokenIsInvalidGrant()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FuncAuthApp.StartAsync(azurite, time: time);
        var client = app.CreateClient();
        var signup = await client.SignupAsync();

        time.Advance(TimeSpan.FromDays(30));
        using var response = await client.TokenAsync(OAuth.Encoding.Json, ("grant_type", "refresh_token"), ("refresh_token", signup.RefreshToken));

        var body = await AssertErrorAsync(response, "invalid_grant");
        Assert.Contains("expired", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASpentRefreshTokenAfterTheGraceIsInvalidGrantAndEndsTheSession()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FuncAuthApp.StartAsync(azurite, time: time);
        var client = app.CreateClient();
        var signup = await client.SignupAsync();
        using var first = await client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", signup.RefreshToken));
        var newest = await Tokens.ReadAsync(first);

        time.Advance(TimeSpan.FromSeconds(11));
        using var reused = await client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", signup.RefreshToken));

        var body = await AssertErrorAsync(reused, "invalid_grant");
        Assert.Contains("already used", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        using var newestToo = await client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", newest.RefreshToken));
        await AssertErrorAsync(newestToo, "invalid_grant");
    }

    [Fact]
    public async Task TwentyConcurrentRefreshesWithOneTokenAllReceiveTheSameNewRefreshToken()
    {
        var signup = await _client.SignupAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            _client.TokenAsync(i % 2 == 0 ? OAuth.Encoding.Form : OAuth.Encoding.Json, ("grant_type", "refresh_token"), ("refresh_token", signup.RefreshToken))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var issued = await Task.WhenAll(responses.Select(Tokens.ReadAsync));
        var refreshToken = Assert.Single(issued.Select(t => t.RefreshToken).Distinct());
        Assert.NotEqual(signup.RefreshToken, refreshToken);
        foreach (var accessToken in issued.Select(t => t.AccessToken).Distinct())
        {
            using var me = await _client.GetAsync("/api/auth/me", accessToken);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using var next = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", refreshToken));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task WithoutAReuseIntervalExactlyOneOfTwentyConcurrentRefreshesSucceeds()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__RefreshReuseInterval"] = "00:00:00" });
        var client = app.CreateClient();
        var signup = await client.SignupAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", signup.RefreshToken))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await AssertErrorAsync(response, "invalid_grant");
        }
    }

    [Fact]
    public async Task TheGrantsCostWhatLoginAndRefreshCost()
    {
        var app = azurite.App;
        var client = app.CreateClient();
        var signup = await client.SignupAsync();

        app.StorageRequests.Reset();
        var login = await client.LoginAsync(signup.Email);
        var loginCalls = app.StorageRequests.Count;
        app.StorageRequests.Reset();
        using var password = await client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "password"), ("username", signup.Email), ("password", Api.Password));
        var passwordCalls = app.StorageRequests.Count;
        app.StorageRequests.Reset();
        using var refreshed = await client.RefreshAsync(login.RefreshToken);
        var refreshCalls = app.StorageRequests.Count;
        app.StorageRequests.Reset();
        using var refresh = await client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", signup.RefreshToken));
        var refreshGrantCalls = app.StorageRequests.Count;

        Assert.Equal(HttpStatusCode.OK, password.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(loginCalls, passwordCalls);
        Assert.Equal(refreshCalls, refreshGrantCalls);
        Assert.InRange(refreshGrantCalls, 1, 3);
    }
}
