using System.Net;
using FuncAuth.Core.Abuse;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Abuse;

/// <summary>
/// docs/api.md, "Failed-login limits": every check of a password counts against the failed-login limits, not only
/// login; a completed reset clears the account's counters at every address and revokes its API keys; an unknown client
/// address skips the per-address limit and keeps the per-account one.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PasswordCheckLimitTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Caller = "198.51.100.7";
    private const string NewPassword = "a brand new passphrase";
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(), Attack.Clock());
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task TheEleventhWrongCurrentPasswordAtPasswordChangeIsRefusedWith429AndTheRightOneToo()
    {
        var user = await _client.SignupAsync();
        var change = () => Send(HttpMethod.Post, "/api/auth/password/change", new { currentPassword = Attack.WrongPassword, password = NewPassword, passwordConfirmation = NewPassword }, user.AccessToken);

        await AssertTenRefusedThenLimitedAsync(change);

        // The right password is not checked either until the window ends: the guesser learns nothing.
        using var right = await _client.SendAsync(Send(HttpMethod.Post, "/api/auth/password/change", new { currentPassword = Api.Password, password = NewPassword, passwordConfirmation = NewPassword }, user.AccessToken));
        await Problem.AssertAsync(right, HttpStatusCode.TooManyRequests, "rate_limited");
        // The same counters as login's: login from that address is refused as well.
        using var login = await _client.LoginFromAsync(Caller, user.Email, Api.Password);
        await Problem.AssertAsync(login, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task TheEleventhWrongPasswordAtAccountDeletionIsRefusedWith429()
    {
        var user = await _client.SignupAsync();

        await AssertTenRefusedThenLimitedAsync(() => Send(HttpMethod.Delete, "/api/auth/account", new { password = Attack.WrongPassword }, user.AccessToken));

        using var me = await _client.GetAsync("/api/auth/me", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task ARightPasswordGivesItsCountBackSoTheOwnerIsNeverLimitedByTheirOwnChecks()
    {
        var user = await _client.SignupAsync();
        for (var i = 0; i < 12; i++)
        {
            using var change = await _client.SendAsync(Send(HttpMethod.Post, "/api/auth/password/change", new { currentPassword = Api.Password, password = Api.Password + "!", passwordConfirmation = Api.Password + "!" }, user.AccessToken));
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
            using var back = await _client.SendAsync(Send(HttpMethod.Post, "/api/auth/password/change", new { currentPassword = Api.Password + "!", password = Api.Password, passwordConfirmation = Api.Password }, user.AccessToken));
            Assert.Equal(HttpStatusCode.NoContent, back.StatusCode);
        }
    }

    [Fact]
    public async Task ACompletedResetClearsTheAccountsCountersAtEveryAddressAndRevokesItsKeys()
    {
        var user = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(user.AccessToken);
        string[] addresses = ["203.0.113.10", "203.0.113.11", "203.0.113.12"];
        foreach (var address in addresses)
        {
            for (var i = 0; i < 10; i++)
            {
                using var guess = await _client.LoginFromAsync(address, user.Email, Attack.WrongPassword);
                Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
            }

            using var limited = await _client.LoginFromAsync(address, user.Email, Attack.WrongPassword);
            await Problem.AssertAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        }

        using (var reset = await _client.PostFromAsync("198.51.100.99", "/api/auth/password/reset", new { token = await _app.ResetTokenAsync(user.Email), password = NewPassword, passwordConfirmation = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        // None of the addresses is limited any more, though none of them reset the password.
        foreach (var address in addresses)
        {
            using var login = await _client.LoginFromAsync(address, user.Email, NewPassword);
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        Assert.Empty(await _app.Table("RateLimits").QueryAsync<Azure.Data.Tables.TableEntity>($"RowKey ge '{nameof(RateLimitName.LoginFailuresPerAccountAndAddress)}-' and RowKey lt '{nameof(RateLimitName.LoginFailuresPerAccountAndAddress)}.'").ToListAsync());

        // The reset took the account back from every API key as well.
        using var me = await _client.MeWithKeyAsync(key.Key);
        await Problem.AssertAsync(me, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Empty(await _app.Table("UserSessions").QueryAsync<Azure.Data.Tables.TableEntity>($"PartitionKey eq '{user.UserId}' and RowKey ge 'k:' and RowKey lt 'k;'").ToListAsync());
    }

    [Fact]
    public async Task AnUnknownClientAddressSkipsThePerAddressLimitAndKeepsThePerAccountOne()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(("RateLimit__LoginFailuresPerAccount__Limit", "15")), Attack.Clock());
        var guard = app.Services.GetRequiredService<LoginGuard>();
        var email = (await app.CreateClient().SignupAsync()).Email;

        var outcomes = new List<GuardedLoginResult>();
        for (var i = 0; i < 16; i++)
        {
            outcomes.Add(await guard.LoginAsync(email, Attack.WrongPassword, clientAddress: null, CancellationToken.None));
        }

        // Past the per-address limit of 10 (not applied), up to the per-account limit of 15.
        Assert.Equal(15, outcomes.Count(o => o is GuardedLoginResult.Checked { Login: FuncAuth.Core.Sessions.LoginResult.InvalidCredentials }));
        Assert.IsType<GuardedLoginResult.RateLimited>(outcomes[^1]);
    }

    private async Task AssertTenRefusedThenLimitedAsync(Func<HttpRequestMessage> request)
    {
        for (var i = 0; i < 10; i++)
        {
            using var wrong = await _client.SendAsync(request());
            await Problem.AssertAsync(wrong, HttpStatusCode.Forbidden, "password_incorrect");
        }

        using var eleventh = await _client.SendAsync(request());
        await Problem.AssertAsync(eleventh, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(int.Parse(eleventh.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    private static HttpRequestMessage Send(HttpMethod method, string path, object body, string accessToken)
    {
        var request = Api.Json(method, path, body, accessToken);
        request.Headers.Add("X-Forwarded-For", Caller);
        return request;
    }
}
