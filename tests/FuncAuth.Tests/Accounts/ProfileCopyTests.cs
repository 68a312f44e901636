using System.Net;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using FuncAuth.Core.Storage;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Accounts;

/// <summary>
/// The profile copy in the user's row beside the sessions, which lets me and refresh skip reading the account: every
/// write of an account leaves it equal to the account, a late writer never moves it back, a row from before the copy is
/// filled in by its first reader, and a failed copy write is put right by the retried call.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ProfileCopyTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly string[] ProfileColumns = ["Email", "Name", "Roles", "CreatedAt", "EmailVerified", "Disabled", "Revision"];
    private readonly Dictionary<string, string?> _settings = new() { ["Auth__SigningKey"] = TestKeys.NewPem() };
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;
    private Tokens _admin = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, _settings);
        _client = _app.CreateClient();
        _admin = await _client.SignupAsync(FuncAuthApp.AdminEmail);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task EveryWriteOfAnAccountLeavesTheCopyEqualToIt()
    {
        var user = await _client.SignupAsync(name: "Ada");
        await AssertCopyEqualsAccountAsync(user.UserId);

        await SendOkAsync(Api.Json(HttpMethod.Patch, "/api/auth/me", new { name = "Ada L." }, user.AccessToken));
        var copy = await AssertCopyEqualsAccountAsync(user.UserId);
        Assert.Equal("Ada L.", copy.GetString("Name"));

        await SendOkAsync(Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, _admin.AccessToken));
        Assert.Equal("user,admin", (await AssertCopyEqualsAccountAsync(user.UserId)).GetString("Roles"));

        await SendOkAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/disable", _admin.AccessToken));
        Assert.True((await AssertCopyEqualsAccountAsync(user.UserId)).GetBoolean("Disabled"));

        await SendOkAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/enable", _admin.AccessToken));
        Assert.False((await AssertCopyEqualsAccountAsync(user.UserId)).GetBoolean("Disabled"));
    }

    [Fact]
    public async Task MeAndRefreshAnswerFromTheCopyAndTheNextWriteOfTheAccountBringsItUp()
    {
        var user = await _client.SignupAsync(name: "Grace");
        // Make the copy older than the account, as a write that failed halfway leaves it.
        var copy = await UserRowAsync(user.UserId);
        copy["Name"] = "Stale";
        copy["Roles"] = "user,admin";
        copy["Revision"] = -1L;
        await _app.Table("UserSessions").UpdateEntityAsync(copy, ETag.All, TableUpdateMode.Replace);

        Assert.Equal("Stale", (await MeAsync(user.AccessToken)).GetProperty("name").GetString());
        string refreshToken;
        using (var refreshed = await _client.RefreshAsync(user.RefreshToken))
        {
            var body = await refreshed.ReadJsonAsync();
            Assert.Equal(["user", "admin"], body.GetProperty("user").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            refreshToken = body.GetProperty("refresh_token").GetString()!;
        }

        // Enabling an enabled account writes nothing to it, but brings the older copy up to it.
        await SendOkAsync(Api.Authorized(HttpMethod.Post, $"/api/users/{user.UserId}/enable", _admin.AccessToken));

        Assert.Equal("user", (await AssertCopyEqualsAccountAsync(user.UserId)).GetString("Roles"));
        using var again = await _client.RefreshAsync(refreshToken);
        Assert.Equal(["user"], (await again.ReadJsonAsync()).GetProperty("user").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task AWriterThatReadTheAccountBeforeAnotherWroteItNeverMovesTheCopyBack()
    {
        var user = await _client.SignupAsync(name: "Barbara");
        var store = _app.Services.GetRequiredService<UserStore>();
        var emailKey = (await UserRowAsync(user.UserId)).GetString("EmailKey");
        var early = (await store.FindByEmailKeyAsync(emailKey, CancellationToken.None))!;
        early.Name = "Early";
        Assert.True(await store.TryReplaceAsync(early, CancellationToken.None));

        // A second writer reads after the first and writes after it; then the first one's copy write comes late.
        var late = (await store.FindByEmailKeyAsync(emailKey, CancellationToken.None))!;
        late.Roles = "user,admin";
        Assert.True(await store.TryReplaceAsync(late, CancellationToken.None));
        await store.CopyProfileAsync(early, known: null, CancellationToken.None);

        var copy = await AssertCopyEqualsAccountAsync(user.UserId);
        Assert.Equal("user,admin", copy.GetString("Roles"));
        Assert.Equal("Early", copy.GetString("Name"));
        Assert.Equal(2L, copy.GetInt64("Revision"));
    }

    [Fact]
    public async Task AUserRowFromBeforeTheCopyIsFilledInByTheFirstReader()
    {
        var user = await _client.SignupAsync(name: "Edsger");
        var legacy = await UserRowAsync(user.UserId);
        await _app.Table("UserSessions").UpdateEntityAsync(
            new TableEntity(legacy.PartitionKey, legacy.RowKey) { ["EmailKey"] = legacy.GetString("EmailKey") }, ETag.All, TableUpdateMode.Replace);

        _app.StorageRequests.Reset();
        var me = await MeAsync(user.AccessToken);
        // The session with the old row, the account, the fill conditional on the row's ETag.
        Assert.Equal(["GET UserSessions", "GET Users", "PUT UserSessions"], _app.StorageRequests.Requests.Select(StorageRequestCounter.Shape));
        Assert.Equal("Edsger", me.GetProperty("name").GetString());
        Assert.Equal(user.Email, me.GetProperty("email").GetString());
        await AssertCopyEqualsAccountAsync(user.UserId);

        _app.StorageRequests.Reset();
        Assert.Equal("Edsger", (await MeAsync(user.AccessToken)).GetProperty("name").GetString());
        Assert.Equal(["GET UserSessions"], _app.StorageRequests.Requests.Select(StorageRequestCounter.Shape));
        using var refreshed = await _client.RefreshAsync(user.RefreshToken);
        Assert.Equal(user.Email, (await refreshed.ReadJsonAsync()).GetProperty("user").GetProperty("email").GetString());
    }

    [Fact]
    public async Task ARoleChangeWhoseCopyWriteFailsAnswers503AndItsRetryPutsTheCopyRight()
    {
        var user = await _client.SignupAsync();
        await using var faulty = _app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var options = new TableClientOptions();
            options.AddPolicy(new FailingCopyWrite(), HttpPipelinePosition.PerCall);
            services.AddSingleton(options);
        }));
        var promote = () => Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, _admin.AccessToken);

        using (var failed = await faulty.CreateClient().SendAsync(promote()))
        {
            await Problem.AssertAsync(failed, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        }

        // The account took the change, the copy did not: the window the README describes.
        Assert.Equal("user", (await UserRowAsync(user.UserId)).GetString("Roles"));

        await SendOkAsync(promote());

        Assert.Equal("user,admin", (await AssertCopyEqualsAccountAsync(user.UserId)).GetString("Roles"));
        using var refreshed = await _client.RefreshAsync(user.RefreshToken);
        Assert.Equal(["user", "admin"], (await refreshed.ReadJsonAsync()).GetProperty("user").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    private async Task SendOkAsync(HttpRequestMessage request)
    {
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<System.Text.Json.JsonElement> MeAsync(string accessToken)
    {
        using var response = await _client.GetAsync("/api/auth/me", accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private async Task<TableEntity> UserRowAsync(string userId) =>
        (await _app.Table("UserSessions").GetEntityAsync<TableEntity>(userId, "user")).Value;

    private async Task<TableEntity> AssertCopyEqualsAccountAsync(string userId)
    {
        var copy = await UserRowAsync(userId);
        var account = (await _app.Table("Users").GetEntityAsync<TableEntity>(copy.GetString("EmailKey"), "")).Value;
        Assert.Equal(userId, account.GetString("UserId"));
        foreach (var column in ProfileColumns)
        {
            Assert.True(Equals(Column(account, column), Column(copy, column)), $"{column}: account {Column(account, column)}, copy {Column(copy, column)}");
        }

        return copy;
    }

    private static object? Column(TableEntity entity, string column) => entity.TryGetValue(column, out var value) ? value : null;

    /// <summary>Fails the write of a user row (the profile copy) as an overloaded service would, before it leaves the app.</summary>
    private sealed class FailingCopyWrite : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The app calls storage asynchronously.");

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            message.Request.Method == RequestMethod.Put && Uri.UnescapeDataString(message.Request.Uri.Path).Contains("RowKey='user'", StringComparison.Ordinal)
                ? throw new RequestFailedException(503, "injected: server busy")
                : ProcessNextAsync(message, pipeline);
    }
}
