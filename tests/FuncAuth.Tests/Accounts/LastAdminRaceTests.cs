using System.Net;
using Azure.Data.Tables;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Accounts;

/// <summary>The last-admin rule under concurrency: it counts the admin index, whose removals race on one guard row.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LastAdminRaceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task TwoAdminsDemotingEachOtherAtOnceLeaveOneAdmin()
    {
        for (var round = 0; round < 3; round++)
        {
            // Two admins exactly: a listed address (admin from sign-up here) and one it promotes.
            await using var pair = await FuncAuthApp.StartAsync(azurite);
            var pairClient = pair.CreateClient();
            var first = await pairClient.SignupAsync(FuncAuthApp.AdminEmail);
            var second = await pairClient.SignupAsync();
            using (var promote = await pairClient.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{second.UserId}/roles", new { roles = new[] { "user", "admin" } }, first.AccessToken)))
            {
                Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
            }

            var secondAdmin = await pairClient.LoginAsync(second.Email);
            var demotions = await Task.WhenAll(
                pairClient.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{second.UserId}/roles", new { roles = new[] { "user" } }, first.AccessToken)),
                pairClient.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{first.UserId}/roles", new { roles = new[] { "user" } }, secondAdmin.AccessToken)));

            Assert.Contains(demotions, d => d.StatusCode == HttpStatusCode.OK);
            var admins = await pair.Table("Users").QueryAsync<TableEntity>().Where(u => (u.GetString("Roles") ?? "").Split(',').Contains("admin")).CountAsync();
            Assert.Equal(1, admins);
            foreach (var demotion in demotions)
            {
                demotion.Dispose();
            }
        }
    }
}
