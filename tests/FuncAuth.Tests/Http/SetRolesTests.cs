using System.Net;
using System.Net.Http.Headers;
using FuncAuth.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.Http;

/// <summary>PUT /api/users/{userId}/roles: admins change roles; current access tokens stop working, refresh tokens bring the new roles.</summary>
public sealed class SetRolesTests(AzuriteFixture azurite) : AdminAppTests(azurite), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task AnAdminSetsTheRolesAndGetsTheUpdatedUser()
    {
        var email = Api.NewEmail();
        var user = await Client.SignupAsync(email, name: "Ann");

        using var response = await SetRolesAsync(user.UserId, new { roles = new[] { "user", "admin" } }, Admin.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(["createdAt", "disabled", "email", "emailVerified", "id", "mfaEnabled", "name", "roles"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(user.UserId, body.GetProperty("id").GetString());
        Assert.Equal(email, body.GetProperty("email").GetString());
        Assert.Equal("Ann", body.GetProperty("name").GetString());
        Assert.Equal(["user", "admin"], Roles(body));

        using var stored = await Client.GetAsync("/api/users/" + user.UserId, Admin.AccessToken);
        Assert.Equal(["user", "admin"], Roles(await stored.ReadJsonAsync()));
    }

    [Fact]
    public async Task TheUsersCurrentAccessTokensAreRefusedAfterARoleChange()
    {
        var email = Api.NewEmail();
        var first = await Client.SignupAsync(email);
        var second = await Client.LoginAsync(email);

        using var response = await SetRolesAsync(first.UserId, new { roles = new[] { "user", "admin" } }, Admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        foreach (var session in new[] { first, second })
        {
            using var me = await Client.GetAsync("/api/auth/me", session.AccessToken);
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        }
    }

    [Fact]
    public async Task RefreshingAfterARoleChangeBringsTheNewRoles()
    {
        var user = await Client.SignupAsync();
        using var response = await SetRolesAsync(user.UserId, new { roles = new[] { "user", "admin" } }, Admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var refresh = await Client.RefreshAsync(user.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var promoted = await Tokens.ReadAsync(refresh);
        Assert.Equal(["user", "admin"], TokenRoles(promoted.AccessToken));
        Assert.Equal(["user", "admin"], Roles(promoted.Body.GetProperty("user")));
        using var adminCall = await Client.GetAsync("/api/users/" + Admin.UserId, promoted.AccessToken);
        Assert.Equal(HttpStatusCode.OK, adminCall.StatusCode);
    }

    [Fact]
    public async Task ADemotedAdminIsForbiddenOnAdminEndpointsAfterRefreshing()
    {
        var other = await Client.SignupAsync();
        // Another admin first: the last admin cannot be demoted.
        using (var second = await SetRolesAsync(other.UserId, new { roles = new[] { "user", "admin" } }, Admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        using var response = await SetRolesAsync(Admin.UserId, new { roles = new[] { "user" } }, Admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var refresh = await Client.RefreshAsync(Admin.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var demoted = await Tokens.ReadAsync(refresh);
        Assert.Equal(["user"], TokenRoles(demoted.AccessToken));

        using var read = await Client.GetAsync("/api/users/" + other.UserId, demoted.AccessToken);
        await Problem.AssertAsync(read, HttpStatusCode.Forbidden, "forbidden");
        using var promote = await SetRolesAsync(Admin.UserId, new { roles = new[] { "user", "admin" } }, demoted.AccessToken);
        await Problem.AssertAsync(promote, HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [InlineData("""{"roles":["superuser"]}""")]
    [InlineData("""{"roles":["user","superuser"]}""")]
    [InlineData("""{"roles":["Admin"]}""")]
    [InlineData("""{"roles":[]}""")]
    [InlineData("""{}""")]
    [InlineData("""{"roles":null}""")]
    [InlineData("""{"roles":[null]}""")]
    public async Task ARoleListThatIsEmptyOrNamesAnUnknownRoleIsRefusedAndChangesNothing(string json)
    {
        var user = await Client.SignupAsync();
        var request = Api.Raw(HttpMethod.Put, $"/api/users/{user.UserId}/roles", json);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Admin.AccessToken);

        using var response = await Client.SendAsync(request);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["roles"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        // Nothing happened to the user: the roles and the live access token are as before.
        using var me = await Client.GetAsync("/api/auth/me", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(["user"], Roles(await me.ReadJsonAsync()));
    }

    [Fact]
    public async Task AUserWithoutTheAdminRoleIsForbidden()
    {
        var caller = await Client.SignupAsync();

        using var response = await SetRolesAsync(caller.UserId, new { roles = new[] { "user", "admin" } }, caller.AccessToken);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        using var me = await Client.GetAsync("/api/auth/me", caller.AccessToken);
        Assert.Equal(["user"], Roles(await me.ReadJsonAsync()));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("x")]
    [InlineData("..%2F..")]
    public async Task AnUnknownUserIdIsNotFound(string encodedId)
    {
        using var response = await SetRolesAsync(encodedId, new { roles = new[] { "user" } }, Admin.AccessToken);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task WithoutATokenTheAnswerIsTokenMissing()
    {
        var user = await Client.SignupAsync();

        using var response = await SetRolesAsync(user.UserId, new { roles = new[] { "admin" } }, accessToken: null);

        await Problem.AssertUnauthorizedAsync(response, "token_missing");
    }

    private Task<HttpResponseMessage> SetRolesAsync(string encodedId, object body, string? accessToken) =>
        Client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{encodedId}/roles", body, accessToken));

    private static IEnumerable<string?> Roles(System.Text.Json.JsonElement user) =>
        user.GetProperty("roles").EnumerateArray().Select(r => r.GetString());

    private static IEnumerable<string> TokenRoles(string accessToken) =>
        new JsonWebToken(accessToken).Claims.Where(c => c.Type == "roles").Select(c => c.Value);
}
