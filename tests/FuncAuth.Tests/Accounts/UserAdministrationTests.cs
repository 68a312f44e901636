using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Accounts;

/// <summary>Admin lookup by address, disable and enable, and the rules that keep an admin in charge.</summary>
public sealed class UserAdministrationTests(AzuriteFixture azurite) : AdminAppTests(azurite), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task LookupByEmailIsExactAndIgnoresCase()
    {
        var email = Api.NewEmail("Ann");
        var user = await Client.SignupAsync(email);

        using var found = await Client.GetAsync("/api/users?email=" + Uri.EscapeDataString(email.ToUpperInvariant()), Admin.AccessToken);
        var list = await found.ReadJsonAsync();
        var only = Assert.Single(list.EnumerateArray());
        Assert.Equal(user.UserId, only.GetProperty("id").GetString());
        Assert.False(only.GetProperty("disabled").GetBoolean());
        Assert.Equal("no-store", found.Headers.CacheControl?.ToString());

        using var partial = await Client.GetAsync("/api/users?email=" + Uri.EscapeDataString(email[1..]), Admin.AccessToken);
        Assert.Equal("[]", await partial.Content.ReadAsStringAsync());

        using var missing = await Client.GetAsync("/api/users", Admin.AccessToken);
        await Problem.AssertAsync(missing, HttpStatusCode.UnprocessableEntity, "validation_failed");

        using var notAdmin = await Client.GetAsync("/api/users?email=" + Uri.EscapeDataString(email), user.AccessToken);
        await Problem.AssertAsync(notAdmin, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task DisablingEndsEverySessionAndRefusesLoginAfterTheRightPasswordOnlyUntilEnabled()
    {
        var user = await Client.SignupAsync();
        var other = await Client.LoginAsync(user.Email);

        using (var disable = await Client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/disable", Admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
            Assert.True((await disable.ReadJsonAsync()).GetProperty("disabled").GetBoolean());
        }

        foreach (var session in new[] { user, other })
        {
            using var me = await Client.GetAsync("/api/auth/me", session.AccessToken);
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
            using var refresh = await Client.RefreshAsync(session.RefreshToken);
            await Problem.AssertAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        }

        using (var right = await Client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = Api.Password }))
        {
            await Problem.AssertAsync(right, HttpStatusCode.Forbidden, "account_disabled");
        }

        using (var wrong = await Client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = "not the password" }))
        {
            await Problem.AssertAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using (var enable = await Client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/enable", Admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
            Assert.False((await enable.ReadJsonAsync()).GetProperty("disabled").GetBoolean());
        }

        await Client.LoginAsync(user.Email);
    }

    [Fact]
    public async Task AnAdminCannotDisableThemselfAndUnknownUsersAreNotFound()
    {
        using (var self = await Client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{Admin.UserId}/disable", Admin.AccessToken)))
        {
            await Problem.AssertAsync(self, HttpStatusCode.Conflict, "cannot_disable_self");
        }

        foreach (var action in new[] { "disable", "enable" })
        {
            using var unknown = await Client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/0123456789abcdef0123456789abcdef/{action}", Admin.AccessToken));
            await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, "not_found");
        }

        using var me = await Client.GetAsync("/api/auth/me", Admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task TheLastAdminCannotBeDemotedButOneOfTwoCan()
    {
        using (var last = await Client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{Admin.UserId}/roles", new { roles = new[] { "user" } }, Admin.AccessToken)))
        {
            await Problem.AssertAsync(last, HttpStatusCode.Conflict, "last_admin");
        }

        var second = await Client.SignupAsync();
        using (var promote = await Client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{second.UserId}/roles", new { roles = new[] { "user", "admin" } }, Admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        }

        // A disabled admin does not count: demoting the only enabled one is refused.
        using (var disable = await Client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{second.UserId}/disable", Admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        using (var refused = await Client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{Admin.UserId}/roles", new { roles = new[] { "user" } }, Admin.AccessToken)))
        {
            await Problem.AssertAsync(refused, HttpStatusCode.Conflict, "last_admin");
        }

        using (var enable = await Client.SendAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{second.UserId}/enable", Admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        }

        using var demote = await Client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{Admin.UserId}/roles", new { roles = new[] { "user" } }, Admin.AccessToken));
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
    }
}
