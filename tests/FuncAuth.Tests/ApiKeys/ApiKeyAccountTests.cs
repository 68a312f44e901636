using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.ApiKeys;

/// <summary>An account's keys end with the account: disabling revokes them, deleting removes every row they had.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyAccountTests(AzuriteFixture azurite) : AdminAppTests(azurite)
{
    [Fact]
    public async Task DisablingAnAccountRevokesItsKeysAndTheTokensIssuedToThem()
    {
        var user = await Client.SignupAsync();
        var key = await Client.CreateKeyAsync(user.AccessToken);
        var (status, _, body) = await ApiKeyApi.ClientCredentialsAsync(App, ApiKeyApi.Fields(("client_id", key.Id), ("client_secret", key.Key)));
        Assert.Equal(200, status);
        var keyToken = body.GetProperty("access_token").GetString()!;

        using var disabled = await Client.PostJsonAsync($"/api/users/{user.UserId}/disable", new { }, Admin.AccessToken);

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        await Problem.AssertAsync(await Client.MeWithKeyAsync(key.Key), HttpStatusCode.Unauthorized, "invalid_api_key");
        await Problem.AssertUnauthorizedAsync(await Client.GetAsync("/api/auth/me", keyToken), "token_revoked");
        using var keys = await Client.GetAsync($"/api/users/{user.UserId}/api-keys", Admin.AccessToken);
        Assert.Equal(0, (await keys.ReadJsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task DeletingAnAccountLeavesNoRowOfItsKeysInAnyTable()
    {
        var user = await Client.SignupAsync();
        await Client.CreateKeyAsync(user.AccessToken);
        await Client.CreateKeyAsync(user.AccessToken, expiresInDays: 3);

        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/auth/account") { Content = JsonContent.Create(new { password = Api.Password }) };
        request.Headers.Authorization = new("Bearer", user.AccessToken);
        using var deleted = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        foreach (var table in new[] { "UserSessions", "SessionExpiry", "Users" })
        {
            await foreach (var row in App.Table(table).QueryAsync<TableEntity>())
            {
                Assert.DoesNotContain(user.UserId, row.PartitionKey + "/" + row.RowKey, StringComparison.Ordinal);
                Assert.DoesNotContain(user.UserId, row.GetString("UserId") ?? "", StringComparison.Ordinal);
            }
        }
    }
}
