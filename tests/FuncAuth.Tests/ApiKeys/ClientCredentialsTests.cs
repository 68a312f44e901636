using System.Net;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.ApiKeys;

/// <summary>
/// The client_credentials grant as the token endpoint will dispatch it (ClientCredentialsGrant over ApiKeyService), and
/// the tokens it issues at FuncAuth's own endpoints.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClientCredentialsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;
    private Tokens _admin = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, time: _time);
        _client = _app.CreateClient();
        _admin = await _client.SignupAsync(FuncAuthApp.AdminEmail);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task HttpBasicAndFormFieldsBothIssueAnAccessTokenForTheKeysOwnerWithoutSessionOrRefreshToken()
    {
        var user = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(user.AccessToken);

        var viaBasic = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("grant_type", "client_credentials")), ApiKeyApi.Basic(key.Id, key.Key));
        var viaFields = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", key.Id), ("client_secret", key.Key)));

        foreach (var (status, headers, body) in new[] { viaBasic, viaFields })
        {
            Assert.Equal(200, status);
            Assert.Equal("no-store", headers.CacheControl.ToString());
            Assert.Equal(["access_token", "expires_in", "scope", "token_type"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
            Assert.Equal("user", body.GetProperty("scope").GetString());
            Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
            var jwt = new JsonWebToken(body.GetProperty("access_token").GetString());
            Assert.Equal(user.UserId, jwt.Subject);
            Assert.Equal(key.Id, jwt.GetPayloadValue<string>("client_id"));
            Assert.False(jwt.TryGetPayloadValue<string>("sid", out _));
            Assert.Equal(["user"], jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
            Assert.Equal("at+jwt", jwt.Typ);

            using var me = await _client.GetAsync("/api/auth/me", body.GetProperty("access_token").GetString());
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(user.UserId, (await me.ReadJsonAsync()).GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task ATokenOfAKeyIsRefusedAtOnceWhenTheKeyIsRevoked()
    {
        var user = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(user.AccessToken);
        var token = await TokenAsync(key);

        using (var revoke = await _client.DeleteAsync("/api/auth/api-keys/" + key.Id, user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var me = await _client.GetAsync("/api/auth/me", token);
        await Problem.AssertUnauthorizedAsync(me, "token_revoked");
    }

    [Fact]
    public async Task ATokenNeverOutlivesItsKeyAndIsRefusedOnceTheKeyHasExpired()
    {
        var user = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(user.AccessToken, expiresInDays: 1);
        _time.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(5));

        var (status, _, body) = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", key.Id), ("client_secret", key.Key)));

        Assert.Equal(200, status);
        Assert.InRange(body.GetProperty("expires_in").GetInt32(), 299, 301);
        _time.Advance(TimeSpan.FromMinutes(5));
        using var me = await _client.GetAsync("/api/auth/me", body.GetProperty("access_token").GetString());
        await Problem.AssertUnauthorizedAsync(me, "token_revoked");
    }

    [Fact]
    public async Task EveryFailedClientAuthenticationIsOneInvalidClientAnswer()
    {
        var user = await _client.SignupAsync();
        var live = await _client.CreateKeyAsync(user.AccessToken, "live", expiresInDays: 2);
        var revoked = await _client.CreateKeyAsync(user.AccessToken, "revoked");
        var expired = await _client.CreateKeyAsync(user.AccessToken, "expired", expiresInDays: 1);
        using (await _client.DeleteAsync("/api/auth/api-keys/" + revoked.Id, user.AccessToken))
        {
        }

        _time.Advance(TimeSpan.FromDays(1));
        var attempts = new[]
        {
            (live.Id, "fa_" + live.Id + "_" + new string('A', 43)),
            (live.Id, "fa_not-a-key"),
            (user.UserId + "0000000000000000", "fa_" + user.UserId + "0000000000000000_" + live.Secret),
            (revoked.Id, revoked.Key),
            (expired.Id, expired.Key),
            (revoked.Id, live.Key), // right key, someone else's id
        };

        var bodies = new List<string>();
        foreach (var (id, secret) in attempts)
        {
            var basic = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(), ApiKeyApi.Basic(id, secret));
            var fields = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", id), ("client_secret", secret)));

            Assert.Equal(401, basic.Status);
            Assert.StartsWith("Basic ", basic.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal(401, fields.Status);
            Assert.Equal("", fields.Headers.WWWAuthenticate.ToString());
            bodies.Add(basic.Body.GetRawText());
            bodies.Add(fields.Body.GetRawText());
        }

        Assert.Equal("invalid_client", Assert.Single(bodies.Distinct()).Split('"')[3]);
    }

    [Fact]
    public async Task MalformedOrMissingOrDoubledClientCredentialsAreRefusedTheOAuthWay()
    {
        var user = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(user.AccessToken);

        var malformedBasic = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(), "Basic !!!not-base64");
        var noColon = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(), "Basic " + Convert.ToBase64String("just-an-id"u8));
        var none = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("grant_type", "client_credentials")));
        var idOnly = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", key.Id)));
        var both = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_secret", key.Key)), ApiKeyApi.Basic(key.Id, key.Key));

        Assert.Equal((401, "invalid_client"), (malformedBasic.Status, malformedBasic.Body.GetProperty("error").GetString()));
        Assert.StartsWith("Basic ", malformedBasic.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal((401, "invalid_client"), (noColon.Status, noColon.Body.GetProperty("error").GetString()));
        Assert.Equal((401, "invalid_client"), (none.Status, none.Body.GetProperty("error").GetString()));
        Assert.Equal((401, "invalid_client"), (idOnly.Status, idOnly.Body.GetProperty("error").GetString()));
        Assert.Equal((400, "invalid_request"), (both.Status, both.Body.GetProperty("error").GetString()));
        foreach (var answer in new[] { malformedBasic, noColon, none, idOnly, both })
        {
            Assert.Equal(["error", "error_description"], answer.Body.EnumerateObject().Select(p => p.Name));
            Assert.DoesNotContain(key.Secret, answer.Body.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ARequestCannotAskForMoreThanTheKeysScopeButMayAskForLess()
    {
        var userKey = await _client.CreateKeyAsync(_admin.AccessToken, "user only", scope: "user");
        var adminKey = await _client.CreateKeyAsync(_admin.AccessToken, "admin", scope: "user admin");

        var beyond = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", userKey.Id), ("client_secret", userKey.Key), ("scope", "user admin")));
        var unknown = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", adminKey.Id), ("client_secret", adminKey.Key), ("scope", "root")));
        var narrower = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", adminKey.Id), ("client_secret", adminKey.Key), ("scope", "user")));
        var full = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", adminKey.Id), ("client_secret", adminKey.Key)));

        Assert.Equal((400, "invalid_scope"), (beyond.Status, beyond.Body.GetProperty("error").GetString()));
        Assert.Equal((400, "invalid_scope"), (unknown.Status, unknown.Body.GetProperty("error").GetString()));
        Assert.Equal("user", narrower.Body.GetProperty("scope").GetString());
        Assert.Equal("user admin", full.Body.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task AUserScopedKeyOfAnAdminCannotReachAdminEndpoints()
    {
        var someone = await _client.SignupAsync();
        var userKey = await _client.CreateKeyAsync(_admin.AccessToken, "user only", scope: "user");
        var adminKey = await _client.CreateKeyAsync(_admin.AccessToken, "admin", scope: "user admin");

        using (var withUserScope = await _client.GetAsync("/api/users/" + someone.UserId, await TokenAsync(userKey)))
        {
            await Problem.AssertAsync(withUserScope, HttpStatusCode.Forbidden, "forbidden");
        }

        using (var withKeyHeader = new HttpRequestMessage(HttpMethod.Get, "/api/users/" + someone.UserId))
        {
            withKeyHeader.Headers.Add("X-API-Key", adminKey.Key);
            using var response = await _client.SendAsync(withKeyHeader);
            await Problem.AssertUnauthorizedAsync(response, "token_missing");
        }

        using var withAdminScope = await _client.GetAsync("/api/users/" + someone.UserId, await TokenAsync(adminKey));
        Assert.Equal(HttpStatusCode.OK, withAdminScope.StatusCode);
    }

    [Fact]
    public async Task AnAdminScopedKeysTokenReachesEveryAdminReadRouteAndNoAdminWriteRoute()
    {
        var someone = await _client.SignupAsync();
        var theirKey = await _client.CreateKeyAsync(someone.AccessToken, "theirs");
        var adminToken = await TokenAsync(await _client.CreateKeyAsync(_admin.AccessToken, "admin reads", scope: "user admin"));
        var userToken = await TokenAsync(await _client.CreateKeyAsync(_admin.AccessToken, "user only", scope: "user"));

        // GetUser, FindUsers and ListUserApiKeys take an admin-scoped key's token (FindUsers refused it).
        string[] reads = ["/api/users/" + someone.UserId, "/api/users?email=" + Uri.EscapeDataString(someone.Email), $"/api/users/{someone.UserId}/api-keys"];
        foreach (var read in reads)
        {
            using var response = await _client.GetAsync(read, adminToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{read} answered {(int)response.StatusCode}");
            Assert.Contains(someone.UserId, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

            using var withUserScope = await _client.GetAsync(read, userToken);
            await Problem.AssertAsync(withUserScope, HttpStatusCode.Forbidden, "forbidden");
        }

        // Routes that change anything still need a signed-in session.
        HttpRequestMessage[] writes =
        [
            Api.Json(HttpMethod.Put, $"/api/users/{someone.UserId}/roles", new { roles = new[] { "user", "admin" } }, adminToken),
            Api.Json(HttpMethod.Post, $"/api/users/{someone.UserId}/force-logout", new { }, adminToken),
            Api.Json(HttpMethod.Post, $"/api/users/{someone.UserId}/disable", new { }, adminToken),
            Api.Authorized(HttpMethod.Delete, $"/api/users/{someone.UserId}/api-keys/{theirKey.Id}", adminToken),
        ];
        foreach (var write in writes)
        {
            using var response = await _client.SendAsync(write);
            await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        }

        using var me = await _client.MeWithKeyAsync(theirKey.Key);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task DemotingTheOwnerNarrowsEveryTokenIssuedAfterwards()
    {
        var operatorUser = await _client.SignupAsync();
        using (var promote = await SetRolesAsync(operatorUser.UserId, "user", "admin"))
        {
            Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        }

        using var refreshed = await _client.RefreshAsync(operatorUser.RefreshToken);
        var promoted = await Tokens.ReadAsync(refreshed);
        var key = await _client.CreateKeyAsync(promoted.AccessToken, "ops", scope: "user admin");
        Assert.Equal("user admin", (await IssueAsync(key)).Body.GetProperty("scope").GetString());

        using (var demote = await SetRolesAsync(operatorUser.UserId, "user"))
        {
            Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
        }

        var after = await IssueAsync(key);
        Assert.Equal("user", after.Body.GetProperty("scope").GetString());
        Assert.Equal(["user"], new JsonWebToken(after.Body.GetProperty("access_token").GetString()).Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        using (var adminRoute = await _client.GetAsync("/api/users/" + operatorUser.UserId, after.Body.GetProperty("access_token").GetString()))
        {
            await Problem.AssertAsync(adminRoute, HttpStatusCode.Forbidden, "forbidden");
        }

        var askingForAdmin = await IssueAsync(key, "admin");
        Assert.Equal((400, "invalid_scope"), (askingForAdmin.Status, askingForAdmin.Body.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task ATokenOfAKeyIsNotASessionAndCannotManageKeysOrLogOut()
    {
        var user = await _client.SignupAsync();
        var token = await TokenAsync(await _client.CreateKeyAsync(user.AccessToken));

        using var create = await _client.PostJsonAsync("/api/auth/api-keys", new { name = "from a machine" }, token);
        await Problem.AssertAsync(create, HttpStatusCode.Forbidden, "forbidden");
        using var list = await _client.GetAsync("/api/auth/api-keys", token);
        await Problem.AssertAsync(list, HttpStatusCode.Forbidden, "forbidden");
        using var logout = await _client.SendAsync(Api.Authorized(HttpMethod.Post, "/api/auth/logout", token));
        await Problem.AssertAsync(logout, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task RevokingAllKeysOfAUserEndsTheKeysAndTheirTokensAtOnce()
    {
        var user = await _client.SignupAsync();
        var other = await _client.SignupAsync();
        var keys = new[] { await _client.CreateKeyAsync(user.AccessToken, "a"), await _client.CreateKeyAsync(user.AccessToken, "b") };
        var otherKey = await _client.CreateKeyAsync(other.AccessToken);
        var token = await TokenAsync(keys[0]);

        var revoked = await _app.Services.GetRequiredService<ApiKeyService>().RevokeAllForUserAsync(user.UserId, CancellationToken.None);

        Assert.Equal(2, revoked);
        foreach (var key in keys)
        {
            using var me = await _client.MeWithKeyAsync(key.Key);
            await Problem.AssertAsync(me, HttpStatusCode.Unauthorized, "invalid_api_key");
        }

        using (var withToken = await _client.GetAsync("/api/auth/me", token))
        {
            await Problem.AssertUnauthorizedAsync(withToken, "token_revoked");
        }

        using (var list = await _client.GetAsync("/api/auth/api-keys", user.AccessToken))
        {
            Assert.Empty((await list.ReadJsonAsync()).EnumerateArray());
        }

        using var otherMe = await _client.MeWithKeyAsync(otherKey.Key);
        Assert.Equal(HttpStatusCode.OK, otherMe.StatusCode);
        Assert.Equal(0, await _app.Services.GetRequiredService<ApiKeyService>().RevokeAllForUserAsync(user.UserId, CancellationToken.None));
    }

    private async Task<string> TokenAsync(CreatedKey key)
    {
        var (status, _, body) = await IssueAsync(key);
        Assert.Equal(200, status);
        return body.GetProperty("access_token").GetString()!;
    }

    private Task<(int Status, Microsoft.AspNetCore.Http.IHeaderDictionary Headers, System.Text.Json.JsonElement Body)> IssueAsync(CreatedKey key, string? scope = null) =>
        ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", key.Id), ("client_secret", key.Key), ("scope", scope)));

    private Task<HttpResponseMessage> SetRolesAsync(string userId, params string[] roles) =>
        _client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{userId}/roles", new { roles }, _admin.AccessToken));
}
