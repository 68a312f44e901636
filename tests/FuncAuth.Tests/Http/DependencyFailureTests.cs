using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Http;

/// <summary>
/// docs/api.md: a failing dependency is 503 with Retry-After and code service_unavailable, answered in bounded time, never a
/// 500 and never with a half-done change behind it. Storage is "down" by pointing the app at a port nobody listens on.
/// </summary>
public sealed class DependencyFailureTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // Both apps of a test share it, so tokens issued by the healthy one are valid for the one whose storage is down.
    private readonly string _signingKey = TestKeys.NewPem();
    private readonly string _tablePrefix = "t" + Guid.NewGuid().ToString("N")[..10];
    private readonly int _closedPort = LoopbackPorts.FreePort();

    [Fact]
    public async Task SignupAnswers503WhenStorageIsDown()
    {
        await using var app = await StartWithStorageDownAsync();

        using var response = await TimedAsync(() => app.CreateClient().PostJsonAsync("/api/auth/signup", new { email = Api.NewEmail(), password = Api.Password, passwordConfirmation = Api.Password }));

        await AssertUnavailableAsync(response);
    }

    [Fact]
    public async Task LoginAnswers503WhenStorageIsDown()
    {
        await using var app = await StartWithStorageDownAsync();

        using var response = await TimedAsync(() => app.CreateClient().PostJsonAsync("/api/auth/login", new { email = Api.NewEmail(), password = Api.Password }));

        // Not invalid_credentials: an outage must not tell a user their password is wrong.
        await AssertUnavailableAsync(response);
    }

    [Fact]
    public async Task RefreshAndProtectedEndpointsAnswer503NotAnAuthErrorWhenStorageIsDown()
    {
        await using var healthy = await FuncAuthApp.StartAsync(azurite, Settings(azurite.ConnectionString));
        var tokens = await healthy.CreateClient().SignupAsync();
        await using var down = await StartWithStorageDownAsync();
        var client = down.CreateClient();

        // A 401 here would make clients throw their tokens away and sign the user out over an outage.
        using (var refresh = await TimedAsync(() => client.RefreshAsync(tokens.RefreshToken)))
        {
            await AssertUnavailableAsync(refresh);
        }

        using (var me = await TimedAsync(() => client.GetAsync("/api/auth/me", tokens.AccessToken)))
        {
            await AssertUnavailableAsync(me);
        }

        using (var logout = await TimedAsync(() => client.SendAsync(Api.Authorized(HttpMethod.Post, "/api/auth/logout", tokens.AccessToken))))
        {
            await AssertUnavailableAsync(logout);
        }

        // Nothing was ended by the failed calls: the session works where storage is up.
        using var after = await healthy.CreateClient().GetAsync("/api/auth/me", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task ASignupRefusedWhileStorageIsDownLeavesNoAccount()
    {
        var email = Api.NewEmail();
        await using (var down = await StartWithStorageDownAsync())
        {
            using var refused = await down.CreateClient().PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password });
            await AssertUnavailableAsync(refused);
        }

        await using var healthy = await FuncAuthApp.StartAsync(azurite, Settings(azurite.ConnectionString));
        var client = healthy.CreateClient();
        var tokens = await client.SignupAsync(email);
        await client.LoginAsync(email);
        Assert.Equal(email, tokens.Email);
    }

    [Fact]
    public async Task ASignupWhoseAccountInsertFailsLeavesNeitherAccountNorSession()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Settings(azurite.ConnectionString));
        // The account insert is signup's commit point: fail exactly that write, after the session and index were written.
        var faulty = app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var options = new TableClientOptions();
            options.AddPolicy(new FailingInsert("POST", _tablePrefix + "Users"), HttpPipelinePosition.PerCall);
            services.AddSingleton(options);
        }));
        var email = Api.NewEmail();

        using var refused = await faulty.CreateClient().PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password });

        await AssertUnavailableAsync(refused);
        var tokens = await app.CreateClient().SignupAsync(email);
        // The refused signup's user reference, session and index entry were removed again: only the second signup's remain.
        var sessions = await app.Table("UserSessions").QueryAsync<TableEntity>().ToListAsync();
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(tokens.UserId, s.PartitionKey));
        Assert.Single(await app.Table("SessionExpiry").QueryAsync<TableEntity>().ToListAsync());
        Assert.Single(await app.Table("Users").QueryAsync<TableEntity>().ToListAsync());
    }

    private Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["Storage__ConnectionString"] = connectionString,
        ["Storage__TablePrefix"] = _tablePrefix,
        ["Auth__SigningKey"] = _signingKey,
    };

    private Task<FuncAuthApp> StartWithStorageDownAsync() =>
        FuncAuthApp.StartAsync(
            azurite,
            Settings(azurite.ConnectionString.Replace($":{azurite.Port}/", $":{_closedPort}/", StringComparison.Ordinal)),
            waitUntilHealthy: false);

    private static async Task<HttpResponseMessage> TimedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        var response = await send();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"Answered after {clock.Elapsed}.");
        return response;
    }

    private async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Empty(response.Headers.WwwAuthenticate);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var leak in new[] { "Exception", "Azure.", "System.", "127.0.0.1", _closedPort.ToString(), "devstoreaccount1", "injected" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }
    }

    /// <summary>Fails the matching storage request as an overloaded service would, before it leaves the app.</summary>
    private sealed class FailingInsert(string method, string tableName) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The app calls storage asynchronously.");

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            message.Request.Method.ToString() == method && message.Request.Uri.Path.EndsWith("/" + tableName, StringComparison.Ordinal)
                ? throw new RequestFailedException(503, "injected: server busy")
                : ProcessNextAsync(message, pipeline);
    }
}
