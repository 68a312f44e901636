using System.Net;
using Azure.Data.Tables;
using FuncAuth.Core.Accounts;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Email;

/// <summary>Deleting an account removes every row of the user: the tests read every table to prove it.</summary>
[Collection(EmailCollection.Name)]
public sealed class AccountDeletionTests(EmailFixture email) : IAsyncLifetime
{
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await email.StartAppAsync();
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task DeletingTheAccountRefusesEveryTokenLeavesNothingOfTheUserAndFreesTheAddress()
    {
        var address = Api.NewEmail();
        var first = await _client.SignupAsync(address);
        var second = await _client.LoginAsync(address);
        using (var rotated = await _client.RefreshAsync(second.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        var bystander = await _client.SignupAsync();
        await email.Smtp.WaitForMailAsync(address);
        Assert.NotEmpty(await RowsOfAsync(first.UserId, address));

        using (var wrong = await _client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = "not the password" }, first.AccessToken)))
        {
            await Problem.AssertAsync(wrong, HttpStatusCode.Forbidden, "password_incorrect");
        }

        using (var delete = await _client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, first.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var me = await _client.GetAsync("/api/auth/me", first.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        }

        using (var me = await _client.GetAsync("/api/auth/me", second.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        }

        foreach (var refreshToken in new[] { first.RefreshToken, second.RefreshToken })
        {
            using var refresh = await _client.RefreshAsync(refreshToken);
            await Problem.AssertAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        }

        Assert.Empty(await RowsOfAsync(first.UserId, address));
        Assert.NotEmpty(await RowsOfAsync(bystander.UserId, bystander.Email));

        using (var login = await _client.PostJsonAsync("/api/auth/login", new { email = address, password = Api.Password }))
        {
            await Problem.AssertAsync(login, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var again = await _client.SignupAsync(address);
        Assert.NotEqual(first.UserId, again.UserId);
    }

    /// <summary>Every entity of every table of the app that names the user: in a key or in any property.</summary>
    private async Task<IReadOnlyList<string>> RowsOfAsync(string userId, string address)
    {
        var emailKey = EmailAddress.StorageKey(EmailAddress.Normalize(address));
        var found = new List<string>();
        foreach (var name in new[] { "Users", "UserSessions", "SessionExpiry" })
        {
            await foreach (var entity in _app.Table(name).QueryAsync<TableEntity>())
            {
                var text = string.Join('|', entity.Select(p => p.Key + "=" + p.Value));
                if (text.Contains(userId, StringComparison.Ordinal) || text.Contains(emailKey, StringComparison.Ordinal)
                    || text.Contains(address, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add(name + ": " + entity.PartitionKey + "/" + entity.RowKey);
                }
            }
        }

        return found;
    }
}
