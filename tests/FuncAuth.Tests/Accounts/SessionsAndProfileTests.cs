using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Accounts;

/// <summary>The caller's own sessions (list, end one) and profile (PATCH me).</summary>
public sealed class SessionsAndProfileTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly HttpClient _client = azurite.App.CreateClient();

    private const string ChromeOnWindows =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    [Fact]
    public async Task TheSessionListShowsLiveSessionsNewestFirstWithTheCurrentOneMarked()
    {
        var first = await _client.SignupAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = System.Net.Http.Json.JsonContent.Create(new { email = first.Email, password = Api.Password }) };
        request.Headers.TryAddWithoutValidation("User-Agent", ChromeOnWindows);
        using var loginResponse = await _client.SendAsync(request);
        var second = await Tokens.ReadAsync(loginResponse);
        var third = await _client.LoginAsync(first.Email);
        using (await _client.SendAsync(Api.Authorized(HttpMethod.Post, "/api/auth/logout", third.AccessToken)))
        {
        }

        using (var refresh = await _client.RefreshAsync(first.RefreshToken))
        {
            first = await Tokens.ReadAsync(refresh);
        }

        using var response = await _client.GetAsync("/api/auth/sessions", second.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var sessions = (await response.ReadJsonAsync()).EnumerateArray().ToList();

        Assert.Equal(2, sessions.Count);
        Assert.Equal(
            ["createdAt", "current", "device", "expiresAt", "id", "lastRefreshedAt", "lastUsedAt", "userAgent"],
            sessions[0].EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.True(sessions[0].GetProperty("current").GetBoolean());
        Assert.Equal(ChromeOnWindows, sessions[0].GetProperty("userAgent").GetString());
        Assert.Equal("Chrome on Windows", sessions[0].GetProperty("device").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, sessions[0].GetProperty("lastRefreshedAt").ValueKind);
        // Never refreshed: last used when the login opened it.
        Assert.Equal(sessions[0].GetProperty("createdAt").GetDateTimeOffset(), sessions[0].GetProperty("lastUsedAt").GetDateTimeOffset());
        Assert.False(sessions[1].GetProperty("current").GetBoolean());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, sessions[1].GetProperty("lastRefreshedAt").ValueKind);
        Assert.Equal(sessions[1].GetProperty("lastRefreshedAt").GetDateTimeOffset(), sessions[1].GetProperty("lastUsedAt").GetDateTimeOffset());
        Assert.True(sessions[0].GetProperty("createdAt").GetDateTimeOffset() >= sessions[1].GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task ADeletedSessionIsStoredWithAReasonTheSessionModelKnows()
    {
        var mine = await _client.SignupAsync();
        var other = await _client.LoginAsync(mine.Email);
        var otherId = await CurrentSessionIdAsync(other.AccessToken);

        using (var delete = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + otherId, mine.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var stored = FuncAuth.Core.Storage.SessionEntity.Read(
            azurite.App.Table("UserSessions").GetEntity<Azure.Data.Tables.TableEntity>(mine.UserId, FuncAuth.Core.Storage.SessionEntity.RowKeyFor(otherId)).Value);
        Assert.True(stored.Revoked);
        Assert.Equal(FuncAuth.Core.Sessions.RevocationReason.SessionDeleted, stored.Revocation);
    }

    [Fact]
    public async Task DeletingASessionEndsItAndOnlyTheOwnersSessionsCanBeDeleted()
    {
        var mine = await _client.SignupAsync();
        var other = await _client.LoginAsync(mine.Email);
        var stranger = await _client.SignupAsync();
        var otherId = await CurrentSessionIdAsync(other.AccessToken);

        using (var foreign = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + otherId, stranger.AccessToken)))
        {
            await Problem.AssertAsync(foreign, HttpStatusCode.NotFound, "not_found");
        }

        using (var delete = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + otherId, mine.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var ended = await _client.GetAsync("/api/auth/me", other.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(ended, "token_revoked");
        }

        using (var again = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + otherId, mine.AccessToken)))
        {
            await Problem.AssertAsync(again, HttpStatusCode.NotFound, "not_found");
        }

        using (var malformed = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/..%2F..", mine.AccessToken)))
        {
            await Problem.AssertAsync(malformed, HttpStatusCode.NotFound, "not_found");
        }

        using var still = await _client.GetAsync("/api/auth/me", mine.AccessToken);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task PatchMeChangesTheNameAndRefusesABadOne()
    {
        var user = await _client.SignupAsync(name: "Ann");

        using (var patch = await _client.SendAsync(Api.Json(HttpMethod.Patch, "/api/auth/me", new { name = "  Ann Lee " }, user.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
            Assert.Equal("Ann Lee", (await patch.ReadJsonAsync()).GetProperty("name").GetString());
        }

        using (var me = await _client.GetAsync("/api/auth/me", user.AccessToken))
        {
            Assert.Equal("Ann Lee", (await me.ReadJsonAsync()).GetProperty("name").GetString());
        }

        using (var bad = await _client.SendAsync(Api.Json(HttpMethod.Patch, "/api/auth/me", new { name = new string('x', 101) }, user.AccessToken)))
        {
            await Problem.AssertAsync(bad, HttpStatusCode.UnprocessableEntity, "validation_failed");
        }

        using var anonymous = await _client.SendAsync(Api.Json(HttpMethod.Patch, "/api/auth/me", new { name = "Eve" }));
        await Problem.AssertUnauthorizedAsync(anonymous, "token_missing");
    }

    private async Task<string> CurrentSessionIdAsync(string accessToken)
    {
        using var response = await _client.GetAsync("/api/auth/sessions", accessToken);
        return (await response.ReadJsonAsync()).EnumerateArray().Single(s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;
    }
}
