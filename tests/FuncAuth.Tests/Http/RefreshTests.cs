using System.Net;
using System.Security.Cryptography;
using FuncAuth.Core.Tokens;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.Http;

public sealed class RefreshTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly HttpClient _client = azurite.App.CreateClient();

    [Fact]
    public async Task RefreshRotatesTheRefreshTokenWithinTheSameSession()
    {
        var signup = await _client.SignupAsync(name: "Ann");

        using var response = await _client.RefreshAsync(signup.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refreshed = await Tokens.ReadAsync(response);
        Assert.NotEqual(signup.RefreshToken, refreshed.RefreshToken);
        Assert.NotEqual(signup.AccessToken, refreshed.AccessToken);
        Assert.Equal(SessionOf(signup.AccessToken), SessionOf(refreshed.AccessToken));
        Assert.Equal(signup.Body.GetProperty("user").GetRawText(), refreshed.Body.GetProperty("user").GetRawText());
        Assert.Equal("Bearer", refreshed.Body.GetProperty("token_type").GetString());
        // The token's times are whole seconds: issued at x.9 s, it has a little under 900 s left.
        Assert.Equal(900, refreshed.Body.GetProperty("expires_in").GetInt32());
        Assert.Equal("Bearer " + refreshed.AccessToken, response.Headers.GetValues("Authorization").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());

        await AssertMeWorksAsync(_client, refreshed.AccessToken);
        using var previous = await _client.GetAsync("/api/auth/me", signup.AccessToken);
        await Problem.AssertUnauthorizedAsync(previous, "token_revoked");
    }

    [Fact]
    public async Task ASpentTokenPresentedAgainWithinTheIntervalGetsTheSessionsCurrentRefreshToken()
    {
        var signup = await _client.SignupAsync();
        var first = await RefreshOkAsync(_client, signup.RefreshToken);

        var again = await RefreshOkAsync(_client, signup.RefreshToken);

        Assert.Equal(first.RefreshToken, again.RefreshToken);
        Assert.Equal(SessionOf(signup.AccessToken), SessionOf(again.AccessToken));
        await AssertMeWorksAsync(_client, again.AccessToken);

        // The grace answer handed the current token out again without spending it.
        await RefreshOkAsync(_client, first.RefreshToken);
    }

    [Fact]
    public async Task TwentyConcurrentRefreshesWithOneTokenAllReceiveTheSameNewRefreshToken()
    {
        var signup = await _client.SignupAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _client.RefreshAsync(signup.RefreshToken)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var issued = await Task.WhenAll(responses.Select(Tokens.ReadAsync));
        var refreshToken = Assert.Single(issued.Select(t => t.RefreshToken).Distinct());
        Assert.NotEqual(signup.RefreshToken, refreshToken);

        // Every tab that got a 200 can use what it got.
        foreach (var accessToken in issued.Select(t => t.AccessToken).Distinct())
        {
            await AssertMeWorksAsync(_client, accessToken);
        }

        await RefreshOkAsync(_client, refreshToken);
    }

    [Fact]
    public async Task WithoutAReuseIntervalExactlyOneOfTwentyConcurrentRefreshesSucceeds()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__RefreshReuseInterval"] = "00:00:00" });
        var client = app.CreateClient();
        var signup = await client.SignupAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.RefreshAsync(signup.RefreshToken)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "refresh_token_reused");
        }
    }

    [Fact]
    public async Task ASpentTokenPresentedAfterTheIntervalIsReuseAndEndsTheWholeSession()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FuncAuthApp.StartAsync(azurite, time: time);
        var client = app.CreateClient();
        var signup = await client.SignupAsync();
        var newest = await RefreshOkAsync(client, signup.RefreshToken);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(newest.RefreshToken, (await RefreshOkAsync(client, signup.RefreshToken)).RefreshToken);

        time.Advance(TimeSpan.FromSeconds(2));
        using var reused = await client.RefreshAsync(signup.RefreshToken);
        await Problem.AssertAsync(reused, HttpStatusCode.Unauthorized, "refresh_token_reused");
        using var reusedAgain = await client.RefreshAsync(signup.RefreshToken);
        await Problem.AssertAsync(reusedAgain, HttpStatusCode.Unauthorized, "refresh_token_reused");

        // Theft is assumed: whoever holds the newest tokens is signed out too.
        using var refresh = await client.RefreshAsync(newest.RefreshToken);
        await Problem.AssertAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        using var me = await client.GetAsync("/api/auth/me", newest.AccessToken);
        await Problem.AssertUnauthorizedAsync(me, "token_revoked");
    }

    [Fact]
    public async Task ARefreshTokenWorksOneSecondBeforeThirtyDaysAndExpiresAtThirtyDays()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FuncAuthApp.StartAsync(azurite, time: time);
        var client = app.CreateClient();
        var first = await client.SignupAsync();
        var second = await client.LoginAsync(first.Email);

        time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        await RefreshOkAsync(client, first.RefreshToken);

        time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await client.RefreshAsync(second.RefreshToken);
        await Problem.AssertAsync(expired, HttpStatusCode.Unauthorized, "refresh_token_expired");
    }

    [Fact]
    public async Task EachRefreshRenewsTheLifetimeToThirtyDaysFromThen()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FuncAuthApp.StartAsync(azurite, time: time);
        var client = app.CreateClient();
        var signup = await client.SignupAsync();

        time.Advance(TimeSpan.FromDays(20));
        var renewed = await RefreshOkAsync(client, signup.RefreshToken);

        // Forty days after sign-up, past the first lifetime, and one second before the renewed one ends.
        time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        var again = await RefreshOkAsync(client, renewed.RefreshToken);

        time.Advance(TimeSpan.FromDays(30));
        using var expired = await client.RefreshAsync(again.RefreshToken);
        await Problem.AssertAsync(expired, HttpStatusCode.Unauthorized, "refresh_token_expired");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("five empty fields")]
    [InlineData("five short fields")]
    [InlineData("too long")]
    [InlineData("non-ASCII")]
    [InlineData("one character of the MAC flipped")]
    [InlineData("MAC cut short")]
    [InlineData("counter changed")]
    [InlineData("user id changed")]
    [InlineData("session id of another session")]
    [InlineData("unknown key id")]
    public async Task AMalformedOrTamperedRefreshTokenIsInvalid(string tampering)
    {
        var victim = await _client.SignupAsync();
        var fields = victim.RefreshToken.Split('.');
        Assert.Equal(5, fields.Length);
        var token = tampering switch
        {
            "garbage" => "not-a-refresh-token",
            "five empty fields" => "....",
            "five short fields" => "a.b.c.d.e",
            "too long" => victim.RefreshToken + new string('A', 300),
            "non-ASCII" => "ü." + string.Join('.', fields[1..]),
            "one character of the MAC flipped" => With(fields, 4, Flip(fields[4], fields[4].Length / 2)),
            "MAC cut short" => With(fields, 4, fields[4][..^2]),
            "counter changed" => With(fields, 2, (long.Parse(fields[2]) + 1).ToString()),
            "user id changed" => With(fields, 0, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))),
            "session id of another session" => With(fields, 1, (await _client.LoginAsync(victim.Email)).RefreshToken.Split('.')[1]),
            "unknown key id" => With(fields, 3, "unknown-kid"),
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };

        using var response = await _client.RefreshAsync(token);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "refresh_token_invalid");

        // Someone who can only guess at a token must not be able to end the session it names.
        await RefreshOkAsync(_client, victim.RefreshToken);
    }

    [Fact]
    public async Task AWellSignedTokenForASessionThatDoesNotExistIsInvalid()
    {
        var pem = TestKeys.NewPem();
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__SigningKey"] = pem });
        var key = await TestKeys.DevelopmentKeyAsync(pem);
        var client = app.CreateClient();
        var user = await client.SignupAsync();
        Assert.Equal(user.RefreshToken, Remint(user.RefreshToken, key));
        var forged = RefreshTokens.Create(new(user.UserId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), 0, key.Id), key);

        using var response = await client.RefreshAsync(forged);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    [Fact]
    public async Task AWellSignedTokenAheadOfItsSessionIsInvalidAndEndsNothing()
    {
        var pem = TestKeys.NewPem();
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__SigningKey"] = pem });
        var key = await TestKeys.DevelopmentKeyAsync(pem);
        var client = app.CreateClient();
        var user = await client.SignupAsync();
        Assert.Equal(user.RefreshToken, Remint(user.RefreshToken, key));
        var fields = user.RefreshToken.Split('.');
        var ahead = RefreshTokens.Create(new(fields[0], fields[1], long.Parse(fields[2]) + 1, key.Id), key);

        using var response = await client.RefreshAsync(ahead);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        await RefreshOkAsync(client, user.RefreshToken);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"refresh_token":null}""")]
    [InlineData("""{"refresh_token":""}""")]
    [InlineData("""{"refreshToken":"x"}""")]
    public async Task ARequestWithoutARefreshTokenFailsValidation(string body)
    {
        using var response = await _client.SendAsync(Api.Raw(HttpMethod.Post, "/api/auth/refresh", body));

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task TheRefreshTokenOfALoggedOutSessionIsInvalid()
    {
        var user = await _client.SignupAsync();
        using (var logout = await _client.SendAsync(Api.Authorized(HttpMethod.Post, "/api/auth/logout", user.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using var response = await _client.RefreshAsync(user.RefreshToken);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    [Fact]
    public async Task EveryRefreshTokenOfAForceLoggedOutUserIsInvalid()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();
        var admin = await client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await client.SignupAsync();
        var otherDevice = await client.LoginAsync(user.Email);

        using (var forced = await client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/force-logout", admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, forced.StatusCode);
        }

        foreach (var refreshToken in new[] { user.RefreshToken, otherDevice.RefreshToken })
        {
            using var response = await client.RefreshAsync(refreshToken);
            await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        }
    }

    [Fact]
    public async Task TheNewAccessTokenCarriesRolesReadFreshFromTheUser()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();
        var admin = await client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await client.SignupAsync();
        Assert.DoesNotContain("admin", RolesOf(user.AccessToken));

        using (var set = await client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var refreshed = await RefreshOkAsync(client, user.RefreshToken);

        Assert.Equal(["user", "admin"], RolesOf(refreshed.AccessToken));
        Assert.Equal(["user", "admin"], refreshed.Body.GetProperty("user").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(user.Email, new JsonWebToken(refreshed.AccessToken).GetClaim("email").Value);

        // The new role takes effect: the refreshed token may do what only an admin may.
        using var adminOnly = await client.GetAsync($"/api/users/{admin.UserId}", refreshed.AccessToken);
        Assert.Equal(HttpStatusCode.OK, adminOnly.StatusCode);
    }

    [Fact]
    public async Task AGraceAnswerAfterARoleChangeCarriesAWorkingTokenWithTheNewRoles()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();
        var admin = await client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await client.SignupAsync();
        var current = await RefreshOkAsync(client, user.RefreshToken);

        // The role change refuses the access token the rotation just issued.
        using (var set = await client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var grace = await RefreshOkAsync(client, user.RefreshToken);

        Assert.Equal(current.RefreshToken, grace.RefreshToken);
        Assert.Equal(["user", "admin"], RolesOf(grace.AccessToken));
        await AssertMeWorksAsync(client, grace.AccessToken);
    }

    private static async Task<Tokens> RefreshOkAsync(HttpClient client, string refreshToken)
    {
        using var response = await client.RefreshAsync(refreshToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Refresh answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await Tokens.ReadAsync(response);
    }

    private static async Task AssertMeWorksAsync(HttpClient client, string accessToken)
    {
        using var response = await client.GetAsync("/api/auth/me", accessToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/me answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The token rebuilt from its fields: equal to the original only when the key is the one the app signs with.</summary>
    private static string Remint(string refreshToken, SigningKey key) =>
        refreshToken.Split('.') is [var userId, var sessionId, var counter, var keyId, _]
            ? RefreshTokens.Create(new(userId, sessionId, long.Parse(counter), keyId), key)
            : throw new FormatException();

    private static string SessionOf(string accessToken) => new JsonWebToken(accessToken).GetClaim("sid").Value;

    private static string[] RolesOf(string accessToken) =>
        [.. new JsonWebToken(accessToken).Claims.Where(c => c.Type == "roles").Select(c => c.Value)];

    private static string With(string[] fields, int index, string value)
    {
        var copy = (string[])fields.Clone();
        copy[index] = value;
        return string.Join('.', copy);
    }

    private static string Flip(string text, int index) =>
        string.Concat(text.AsSpan(0, index), text[index] == 'A' ? "B" : "A", text.AsSpan(index + 1));
}
