using System.Net;
using Azure.Data.Tables;
using FuncAuth.Core.Accounts;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.Accounts;

/// <summary>
/// docs/api.md, "Re-authentication (step-up)": sessions record authTime and amr, tokens and me carry them, refresh keeps
/// them; sensitive operations need a recent proof (and the second factor where the account has one); reauthenticate
/// renews the proof in the same session, and a wrong password there counts as a failed login.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StepUpTests(AzuriteFixture azurite) : ClockedAppTests(azurite)
{
    private static readonly TimeSpan PastTheWindow = TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ASessionRecordsWhenAndHowItWasProvedAndRefreshKeepsIt()
    {
        var signedUpAt = Time.GetUtcNow();
        var user = await Client.SignupAsync();

        var token = new JsonWebToken(user.AccessToken);
        Assert.Equal(signedUpAt.ToUnixTimeSeconds(), token.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pwd"], token.Claims.Where(c => c.Type == "amr").Select(c => c.Value));

        using (var me = await Client.GetAsync("/api/auth/me", user.AccessToken))
        {
            var body = await me.ReadJsonAsync();
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(signedUpAt.ToUnixTimeSeconds()), body.GetProperty("authTime").GetDateTimeOffset());
            Assert.Equal(["pwd"], body.GetProperty("amr").EnumerateArray().Select(m => m.GetString()));
            Assert.False(body.GetProperty("mfaEnabled").GetBoolean());
        }

        Time.Advance(TimeSpan.FromMinutes(5));
        using var refreshed = await Client.RefreshAsync(user.RefreshToken);
        var renewed = new JsonWebToken((await Tokens.ReadAsync(refreshed)).AccessToken);
        Assert.Equal(signedUpAt.ToUnixTimeSeconds(), renewed.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pwd"], renewed.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.True(renewed.IssuedAt > token.IssuedAt);
    }

    [Fact]
    public async Task SensitiveOperationsAreRefusedOnceTheProofIsOlderThanTheWindowAndNothingChanges()
    {
        var user = await Client.SignupAsync();
        var other = await Client.LoginAsync(user.Email);
        Time.Advance(PastTheWindow);

        using (var key = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "ci" }, user.AccessToken))
        {
            await AssertReauthenticationRequiredAsync(key);
        }

        foreach (var scope in new[] { "others", "global" })
        {
            using var logout = await Client.PostJsonAsync("/api/auth/logout", new { scope }, user.AccessToken);
            await AssertReauthenticationRequiredAsync(logout);
        }

        using (var endOther = await Client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + Sid(other), user.AccessToken)))
        {
            await AssertReauthenticationRequiredAsync(endOther);
        }

        using (var delete = await Client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, user.AccessToken)))
        {
            await AssertReauthenticationRequiredAsync(delete);
        }

        // Nothing happened: both sessions live, no key.
        foreach (var session in new[] { user, other })
        {
            using var me = await Client.GetAsync("/api/auth/me", session.AccessToken);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using (var keys = await Client.GetAsync("/api/auth/api-keys", user.AccessToken))
        {
            Assert.Equal(0, (await keys.ReadJsonAsync()).GetArrayLength());
        }

        // Ending one's own session needs no proof.
        using var local = await Client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + Sid(other), other.AccessToken));
        Assert.Equal(HttpStatusCode.NoContent, local.StatusCode);
    }

    [Fact]
    public async Task InsideTheWindowSensitiveOperationsGoThrough()
    {
        var user = await Client.SignupAsync();
        var other = await Client.LoginAsync(user.Email);
        Time.Advance(TimeSpan.FromMinutes(10));

        using (var key = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "ci" }, user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        }

        using var logout = await Client.PostJsonAsync("/api/auth/logout", new { scope = "others" }, user.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var ended = await Client.GetAsync("/api/auth/me", other.AccessToken);
        await Problem.AssertUnauthorizedAsync(ended, "token_revoked");
    }

    [Fact]
    public async Task ReauthenticatingKeepsTheSessionRenewsItsTokensAndItsProof()
    {
        var user = await Client.SignupAsync();
        Time.Advance(PastTheWindow);
        var now = Time.GetUtcNow();

        using var response = await Client.PostJsonAsync("/api/auth/reauthenticate", new { password = Api.Password }, user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var renewed = await Tokens.ReadAsync(response);
        var token = new JsonWebToken(renewed.AccessToken);
        Assert.Equal(Sid(user), token.GetPayloadValue<string>("sid"));
        Assert.Equal(now.ToUnixTimeSeconds(), token.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pwd"], token.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.NotEqual(user.RefreshToken, renewed.RefreshToken);

        // The old access token is spent; the new one passes the step-up.
        using (var old = await Client.GetAsync("/api/auth/me", user.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(old, "token_revoked");
        }

        using var key = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "ci" }, renewed.AccessToken);
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        using var refreshed = await Client.RefreshAsync(renewed.RefreshToken);
        Assert.Equal(now.ToUnixTimeSeconds(), new JsonWebToken((await Tokens.ReadAsync(refreshed)).AccessToken).GetPayloadValue<long>("auth_time"));
    }

    [Fact]
    public async Task ReauthenticateRefusesAWrongOrMissingPasswordAndLeavesTheSessionAsItWas()
    {
        var user = await Client.SignupAsync();

        using (var wrong = await Client.PostJsonAsync("/api/auth/reauthenticate", new { password = Attack.WrongPassword }, user.AccessToken))
        {
            await Problem.AssertAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using (var missing = await Client.PostJsonAsync("/api/auth/reauthenticate", new { }, user.AccessToken))
        {
            await Problem.AssertAsync(missing, HttpStatusCode.UnprocessableEntity, "validation_failed");
        }

        using (var anonymous = await Client.PostJsonAsync("/api/auth/reauthenticate", new { password = Api.Password }))
        {
            await Problem.AssertUnauthorizedAsync(anonymous, "token_missing");
        }

        using var me = await Client.GetAsync("/api/auth/me", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task AWrongPasswordAtReauthenticationCountsAsAFailedLogin()
    {
        await using var app = await FuncAuthApp.StartAsync(Azurite, Attack.Limited(), Attack.Clock());
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
        var admin = await Client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await Client.SignupAsync();
        Time.Advance(PastTheWindow);
        var plain = await Client.SignupAsync();

        // A non-admin is still forbidden, however recent its proof.
        using (var notAdmin = await Client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user" } }, plain.AccessToken)))
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
            using var refused = await Client.SendAsync(request(admin.AccessToken));
            await AssertReauthenticationRequiredAsync(refused);
        }

        // Reads need no step-up.
        using (var read = await Client.GetAsync("/api/users/" + user.UserId, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using var again = await Client.PostJsonAsync("/api/auth/reauthenticate", new { password = Api.Password }, admin.AccessToken);
        var fresh = await Tokens.ReadAsync(again);
        using var roles = await Client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, fresh.AccessToken));
        Assert.Equal(HttpStatusCode.OK, roles.StatusCode);
    }

    [Fact]
    public async Task WhereTheAccountHasASecondFactorAPasswordOnlyProofDoesNotReachTheOperationsThatAskForIt()
    {
        var user = await Client.SignupAsync();
        await TurnSecondFactorOnAsync(user);
        // The profile copy is read with the session: the session sees the second factor at once.
        var session = user;

        using (var me = await Client.GetAsync("/api/auth/me", session.AccessToken))
        {
            Assert.True((await me.ReadJsonAsync()).GetProperty("mfaEnabled").GetBoolean());
        }

        // Recent, but without mfa in amr: refused where the second factor is asked for, allowed where it is not.
        using (var delete = await Client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, session.AccessToken)))
        {
            var problem = await AssertReauthenticationRequiredAsync(delete);
            Assert.Contains("second factor", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var key = await Client.PostJsonAsync("/api/auth/api-keys", new { name = "ci" }, session.AccessToken);
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
    }

    /// <summary>Sets the account's second-factor flag in the account and its profile copy, as TOTP confirmation does.</summary>
    private async Task TurnSecondFactorOnAsync(Tokens user)
    {
        var emailKey = EmailAddress.StorageKey(EmailAddress.Normalize(user.Email));
        await App.Table("Users").UpsertEntityAsync(new TableEntity(emailKey, "") { ["TotpEnabled"] = true }, TableUpdateMode.Merge);
        await App.Table("UserSessions").UpsertEntityAsync(new TableEntity(user.UserId, "user") { ["TotpEnabled"] = true }, TableUpdateMode.Merge);
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
