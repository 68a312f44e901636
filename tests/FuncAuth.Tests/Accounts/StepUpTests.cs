using System.Net;
using Azure.Data.Tables;
using FuncAuth.Core.Accounts;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.Accounts;

/// <summary>
/// docs/api.md, "Re-authentication (step-up)": sessions record auth_time and amr, tokens and me carry them, refresh keeps
/// them; sensitive operations need a recent proof (and the second factor where the account has one); reauthenticate
/// renews the proof in the same session, and a wrong password there counts as a failed login.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StepUpTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan PastTheWindow = TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1);
    private FakeTimeProvider _time = null!;
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _time = Attack.Clock();
        _app = await FuncAuthApp.StartAsync(azurite, time: _time);
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ASessionRecordsWhenAndHowItWasProvedAndRefreshKeepsIt()
    {
        var signedUpAt = _time.GetUtcNow();
        var user = await _client.SignupAsync();

        var token = new JsonWebToken(user.AccessToken);
        Assert.Equal(signedUpAt.ToUnixTimeSeconds(), token.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pwd"], token.Claims.Where(c => c.Type == "amr").Select(c => c.Value));

        using (var me = await _client.GetAsync("/api/auth/me", user.AccessToken))
        {
            var body = await me.ReadJsonAsync();
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(signedUpAt.ToUnixTimeSeconds()), body.GetProperty("authTime").GetDateTimeOffset());
            Assert.Equal(["pwd"], body.GetProperty("amr").EnumerateArray().Select(m => m.GetString()));
            Assert.False(body.GetProperty("mfaEnabled").GetBoolean());
        }

        _time.Advance(TimeSpan.FromMinutes(5));
        using var refreshed = await _client.RefreshAsync(user.RefreshToken);
        var renewed = new JsonWebToken((await Tokens.ReadAsync(refreshed)).AccessToken);
        Assert.Equal(signedUpAt.ToUnixTimeSeconds(), renewed.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pwd"], renewed.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.True(renewed.IssuedAt > token.IssuedAt);
    }

    [Fact]
    public async Task SensitiveOperationsAreRefusedOnceTheProofIsOlderThanTheWindowAndNothingChanges()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        _time.Advance(PastTheWindow);

        using (var key = await _client.PostJsonAsync("/api/auth/api-keys", new { name = "ci" }, user.AccessToken))
        {
            await AssertReauthenticationRequiredAsync(key);
        }

        foreach (var scope in new[] { "others", "global" })
        {
            using var logout = await _client.PostJsonAsync("/api/auth/logout", new { scope }, user.AccessToken);
            await AssertReauthenticationRequiredAsync(logout);
        }

        using (var endOther = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + Sid(other), user.AccessToken)))
        {
            await AssertReauthenticationRequiredAsync(endOther);
        }

        using (var delete = await _client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, user.AccessToken)))
        {
            await AssertReauthenticationRequiredAsync(delete);
        }

        // Nothing happened: both sessions live, no key.
        foreach (var session in new[] { user, other })
        {
            using var me = await _client.GetAsync("/api/auth/me", session.AccessToken);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using (var keys = await _client.GetAsync("/api/auth/api-keys", user.AccessToken))
        {
            Assert.Equal(0, (await keys.ReadJsonAsync()).GetArrayLength());
        }

        // Ending one's own session needs no proof.
        using var local = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + Sid(other), other.AccessToken));
        Assert.Equal(HttpStatusCode.NoContent, local.StatusCode);
    }

    [Fact]
    public async Task InsideTheWindowSensitiveOperationsGoThrough()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        _time.Advance(TimeSpan.FromMinutes(10));

        using (var key = await _client.PostJsonAsync("/api/auth/api-keys", new { name = "ci" }, user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        }

        using var logout = await _client.PostJsonAsync("/api/auth/logout", new { scope = "others" }, user.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var ended = await _client.GetAsync("/api/auth/me", other.AccessToken);
        await Problem.AssertUnauthorizedAsync(ended, "token_revoked");
    }

    [Fact]
    public async Task ReauthenticatingKeepsTheSessionRenewsItsTokensAndItsProof()
    {
        var user = await _client.SignupAsync();
        _time.Advance(PastTheWindow);
        var now = _time.GetUtcNow();

        using var response = await _client.PostJsonAsync("/api/auth/reauthenticate", new { password = Api.Password }, user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var renewed = await Tokens.ReadAsync(response);
        var token = new JsonWebToken(renewed.AccessToken);
        Assert.Equal(Sid(user), token.GetPayloadValue<string>("sid"));
        Assert.Equal(now.ToUnixTimeSeconds(), token.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pwd"], token.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.NotEqual(user.RefreshToken, renewed.RefreshToken);

        // The old access token is spent; the new one passes the step-up.
        using (var old = await _client.GetAsync("/api/auth/me", user.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(old, "token_revoked");
        }

        using var key = await _client.PostJsonAsync("/api/auth/api-keys", new { name = "ci" }, renewed.AccessToken);
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        using var refreshed = await _client.RefreshAsync(renewed.RefreshToken);
        Assert.Equal(now.ToUnixTimeSeconds(), new JsonWebToken((await Tokens.ReadAsync(refreshed)).AccessToken).GetPayloadValue<long>("auth_time"));
    }

    [Fact]
    public async Task ReauthenticateRefusesAWrongOrMissingPasswordAndLeavesTheSessionAsItWas()
    {
        var user = await _client.SignupAsync();

        using (var wrong = await _client.PostJsonAsync("/api/auth/reauthenticate", new { password = Attack.WrongPassword }, user.AccessToken))
        {
            await Problem.AssertAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using (var missing = await _client.PostJsonAsync("/api/auth/reauthenticate", new { }, user.AccessToken))
        {
            await Problem.AssertAsync(missing, HttpStatusCode.UnprocessableEntity, "validation_failed");
        }

        using (var anonymous = await _client.PostJsonAsync("/api/auth/reauthenticate", new { password = Api.Password }))
        {
            await Problem.AssertUnauthorizedAsync(anonymous, "token_missing");
        }

        using var me = await _client.GetAsync("/api/auth/me", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task AWrongPasswordAtReauthenticationCountsAsAFailedLogin()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(), Attack.Clock());
        var client = app.CreateClient();
        var user = await client.SignupAsync();
        const string address = "198.51.100.21";

        for (var i = 0; i < 10; i++)
        {
            using var wrong = await client.SendAsync(From(address, Api.Json(HttpMethod.Post, "/api/auth/reauthenticate", new { password = Attack.WrongPassword }, user.AccessToken)));
            await Problem.AssertAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using (var right = await client.SendAsync(From(address, Api.Json(HttpMethod.Post, "/api/auth/reauthenticate", new { password = Api.Password }, user.AccessToken))))
        {
            await Problem.AssertAsync(right, HttpStatusCode.TooManyRequests, "rate_limited");
        }

        using var login = await client.LoginFromAsync(address, user.Email, Api.Password);
        await Problem.AssertAsync(login, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task AdminChangesNeedARecentProofAfterTheAdminCheck()
    {
        var admin = await _client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await _client.SignupAsync();
        _time.Advance(PastTheWindow);
        var plain = await _client.SignupAsync();

        // A non-admin is still forbidden, however recent its proof.
        using (var notAdmin = await _client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user" } }, plain.AccessToken)))
        {
            await Problem.AssertAsync(notAdmin, HttpStatusCode.Forbidden, "forbidden");
        }

        foreach (var request in new Func<string, HttpRequestMessage>[]
        {
            t => Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, t),
            t => Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/disable", t),
            t => Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/enable", t),
            t => Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/force-logout", t),
            t => Api.Authorized(HttpMethod.Delete, $"/api/users/{user.UserId}/api-keys/{Guid.NewGuid():N}", t),
        })
        {
            using var refused = await _client.SendAsync(request(admin.AccessToken));
            await AssertReauthenticationRequiredAsync(refused);
        }

        // Reads need no step-up.
        using (var read = await _client.GetAsync("/api/users/" + user.UserId, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using var again = await _client.PostJsonAsync("/api/auth/reauthenticate", new { password = Api.Password }, admin.AccessToken);
        var fresh = await Tokens.ReadAsync(again);
        using var roles = await _client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, fresh.AccessToken));
        Assert.Equal(HttpStatusCode.OK, roles.StatusCode);
    }

    [Fact]
    public async Task WhereTheAccountHasASecondFactorAPasswordOnlyProofDoesNotReachTheOperationsThatAskForIt()
    {
        var user = await _client.SignupAsync();
        await TurnSecondFactorOnAsync(user);
        // The profile copy is read with the session: a new session sees the second factor.
        var session = await _client.LoginAsync(user.Email);

        using (var me = await _client.GetAsync("/api/auth/me", session.AccessToken))
        {
            Assert.True((await me.ReadJsonAsync()).GetProperty("mfaEnabled").GetBoolean());
        }

        // Recent, but without mfa in amr: refused where the second factor is asked for, allowed where it is not.
        using (var delete = await _client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, session.AccessToken)))
        {
            var problem = await AssertReauthenticationRequiredAsync(delete);
            Assert.Contains("second factor", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var key = await _client.PostJsonAsync("/api/auth/api-keys", new { name = "ci" }, session.AccessToken);
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
    }

    /// <summary>Sets the account's second-factor flag in the account and its profile copy, as TOTP confirmation does.</summary>
    private async Task TurnSecondFactorOnAsync(Tokens user)
    {
        var emailKey = EmailAddress.StorageKey(EmailAddress.Normalize(user.Email));
        await _app.Table("Users").UpsertEntityAsync(new TableEntity(emailKey, "") { ["TotpEnabled"] = true }, TableUpdateMode.Merge);
        await _app.Table("UserSessions").UpsertEntityAsync(new TableEntity(user.UserId, "user") { ["TotpEnabled"] = true }, TableUpdateMode.Merge);
    }

    private static string Sid(Tokens tokens) => new JsonWebToken(tokens.AccessToken).GetPayloadValue<string>("sid");

    private static HttpRequestMessage From(string address, HttpRequestMessage request)
    {
        request.Headers.Add("X-Forwarded-For", address);
        return request;
    }

    private static async Task<System.Text.Json.JsonElement> AssertReauthenticationRequiredAsync(HttpResponseMessage response)
    {
        var problem = await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "reauthentication_required");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"insufficient_user_authentication\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("max_age=600", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return problem;
    }
}
