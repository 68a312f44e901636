using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Accounts;

/// <summary>
/// <c>Auth__AdminEmails</c> grants admin once per account (docs/api.md): an admin who later removes the role from a listed
/// address is not overruled by that address's next password reset.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AdminEmailsOnceTests(AzuriteFixture azurite)
{
    private const string Listed = "listed-admin@example.com";
    private const string NewPassword = "a brand new passphrase";

    [Fact]
    public async Task AResetAfterAnAdminRemovedTheRoleDoesNotGrantItAgain()
    {
        // Development without email delivery: listed addresses are admin from sign-up (the first grant).
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__AdminEmails"] = FuncAuthApp.AdminEmail + "," + Listed });
        var client = app.CreateClient();
        var root = await client.SignupAsync(FuncAuthApp.AdminEmail);
        var listed = await client.SignupAsync(Listed);
        Assert.Equal(["user", "admin"], Roles(listed.Body.GetProperty("user")));

        using (var demote = await client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{listed.UserId}/roles", new { roles = new[] { "user" } }, root.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
        }

        using (var reset = await client.PostJsonAsync("/api/auth/password/reset", new { token = await app.ResetTokenAsync(Listed), password = NewPassword, passwordConfirmation = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        var after = await client.LoginAsync(Listed, NewPassword);
        Assert.Equal(["user"], Roles(after.Body.GetProperty("user")));
    }

    private static string[] Roles(System.Text.Json.JsonElement user) => user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray();
}
