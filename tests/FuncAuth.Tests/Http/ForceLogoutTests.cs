using System.Net;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>POST /api/users/{userId}/force-logout: admins end every session of a user at once.</summary>
public sealed class ForceLogoutTests(AzuriteFixture azurite) : AdminAppTests(azurite), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task ForceLogoutEndsEverySessionOfTheUser()
    {
        var email = Api.NewEmail();
        var signup = await Client.SignupAsync(email);
        var login = await Client.LoginAsync(email);

        using var response = await ForceLogoutAsync(signup.UserId, Admin.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var session in new[] { signup, login })
        {
            using var me = await Client.GetAsync("/api/auth/me", session.AccessToken);
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
            using var refresh = await Client.RefreshAsync(session.RefreshToken);
            await Problem.AssertAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        }
    }

    [Fact]
    public async Task TheUserCanSignInAgainAfterAForceLogout()
    {
        var email = Api.NewEmail();
        var user = await Client.SignupAsync(email);
        using var response = await ForceLogoutAsync(user.UserId, Admin.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var fresh = await Client.LoginAsync(email);

        using var me = await Client.GetAsync("/api/auth/me", fresh.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task OtherUsersAndTheAdminStaySignedIn()
    {
        var target = await Client.SignupAsync();
        var bystander = await Client.SignupAsync();

        using var response = await ForceLogoutAsync(target.UserId, Admin.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var session in new[] { bystander, Admin })
        {
            using var me = await Client.GetAsync("/api/auth/me", session.AccessToken);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            using var refresh = await Client.RefreshAsync(session.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }
    }

    [Fact]
    public async Task AUserWithoutTheAdminRoleIsForbiddenAndNothingEnds()
    {
        var caller = await Client.SignupAsync();
        var target = await Client.SignupAsync();

        using var response = await ForceLogoutAsync(target.UserId, caller.AccessToken);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        using var me = await Client.GetAsync("/api/auth/me", target.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("x")]
    [InlineData("..%2F..")]
    public async Task AnUnknownUserIdIsNotFound(string encodedId)
    {
        using var response = await ForceLogoutAsync(encodedId, Admin.AccessToken);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task WithoutATokenTheAnswerIsTokenMissing()
    {
        var target = await Client.SignupAsync();

        using var response = await ForceLogoutAsync(target.UserId, accessToken: null);

        await Problem.AssertUnauthorizedAsync(response, "token_missing");
    }

    [Fact]
    public async Task ForceLogoutRevokesTheUsersApiKeysOnlyWhenAskedTo()
    {
        var user = await Client.SignupAsync();
        var key = await Client.CreateKeyAsync(user.AccessToken);

        using (var sessionsOnly = await ForceLogoutAsync(user.UserId, Admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, sessionsOnly.StatusCode);
        }

        using (var me = await Client.MeWithKeyAsync(key.Key))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using (var withKeys = await Client.SendAsync(Api.Json(HttpMethod.Post, $"/api/users/{user.UserId}/force-logout", new { apiKeys = true }, Admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, withKeys.StatusCode);
        }

        using (var me = await Client.MeWithKeyAsync(key.Key))
        {
            await Problem.AssertAsync(me, HttpStatusCode.Unauthorized, "invalid_api_key");
        }

        using var list = await Client.GetAsync($"/api/users/{user.UserId}/api-keys", Admin.AccessToken);
        Assert.Equal(0, (await list.ReadJsonAsync()).GetArrayLength());
    }

    private Task<HttpResponseMessage> ForceLogoutAsync(string encodedId, string? accessToken) =>
        Client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{encodedId}/force-logout", accessToken));
}
