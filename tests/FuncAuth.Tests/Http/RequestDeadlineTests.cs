using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using FuncAuth.Core.Sessions;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Http;

/// <summary>
/// A hung dependency costs a request at most its deadline (Storage__RequestDeadline), and a write whose answer never
/// came leaves no half-written sign-up behind.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RequestDeadlineTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ARequestWaitingOnAHungStorageServerIsAnswered503WhenItsDeadlineIsSpent()
    {
        using var hung = HungServer();
        await using var app = await StartAgainstAsync(hung);
        var client = app.CreateClient();

        var clock = Stopwatch.StartNew();
        using var response = await client.PostJsonAsync("/api/auth/login", new { email = Api.NewEmail(), password = Api.Password });

        // The test app's storage client waits 5 s per try and retries once: only the deadline answers sooner.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4.5), $"Answered after {clock.Elapsed}.");
        await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task TheTokenEndpointKeepsTheDeadlineAndAnswersInTheOAuthShape()
    {
        using var hung = HungServer();
        await using var app = await StartAgainstAsync(hung);
        var client = app.CreateClient();

        var clock = Stopwatch.StartNew();
        using var response = await client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "password"), ("username", Api.NewEmail()), ("password", Api.Password));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4.5), $"Answered after {clock.Elapsed}.");
        await OAuth.AssertErrorAsync(response, "temporarily_unavailable", HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task ASignupWhoseAccountInsertAnswerIsLostIsFinishedNotLeftHalfWritten()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Storage__TablePrefix"] = prefix });
        // The account insert reaches storage, but its answer is lost: the outcome is unknown to the app.
        var faulty = app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var options = new TableClientOptions();
            options.Retry.MaxRetries = 0;
            options.AddPolicy(new LoseAnswer("POST", prefix + "Users"), HttpPipelinePosition.PerRetry);
            services.AddSingleton(options);
        }));
        var email = Api.NewEmail();

        using var refused = await faulty.CreateClient().PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password });

        await Problem.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        var recovery = faulty.Services.GetRequiredService<SignupRecovery>();
        for (var waited = 0; recovery.Pending > 0 && waited < 300; waited++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, recovery.Pending);
        // The account stands with its user reference and session: a retried sign-up is told the email is taken, and the
        // user signs in with the password they chose.
        using var retried = await app.CreateClient().PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password });
        await Problem.AssertAsync(retried, HttpStatusCode.Conflict, "email_taken");
        var tokens = await app.CreateClient().LoginAsync(email);
        var account = Assert.Single(await app.Table("Users").QueryAsync<TableEntity>().ToListAsync());
        Assert.Equal(tokens.UserId, account.GetString("UserId"));
        var rows = await app.Table("UserSessions").QueryAsync<TableEntity>().ToListAsync();
        Assert.Equal(3, rows.Count); // the user reference, the sign-up's session, the login's session
        Assert.All(rows, r => Assert.Equal(tokens.UserId, r.PartitionKey));
        Assert.Equal(2, (await app.Table("SessionExpiry").QueryAsync<TableEntity>().ToListAsync()).Count);
    }

    [Fact]
    public async Task AVerificationSignupWhoseAccountInsertAnswerIsLostStillEndsInAUsableAccount()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Storage__TablePrefix"] = prefix,
            ["Auth__RequireEmailVerification"] = "true",
        });
        // The account insert lands, but its answer is lost: the app cannot tell whether the account exists.
        var faulty = app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var options = new TableClientOptions();
            options.Retry.MaxRetries = 0;
            options.AddPolicy(new LoseAnswer("POST", prefix + "Users"), HttpPipelinePosition.PerRetry);
            services.AddSingleton(options);
        }));
        var email = Api.NewEmail();

        using var refused = await faulty.CreateClient().PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password });

        await Problem.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        // The account that landed keeps its user reference, so its verification link works and its owner signs in.
        using var verified = await app.CreateClient().PostJsonAsync("/api/auth/verify-email", new { token = await app.VerificationTokenAsync(email) });
        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        var tokens = await app.CreateClient().LoginAsync(email);
        var account = Assert.Single(await app.Table("Users").QueryAsync<TableEntity>().ToListAsync());
        Assert.Equal(tokens.UserId, account.GetString("UserId"));
    }

    /// <summary>Sends the first matching request, then throws as if the connection dropped before the answer arrived.</summary>
    private sealed class LoseAnswer(string method, string tableName) : HttpPipelinePolicy
    {
        private int _lost;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The app calls storage asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Method.ToString() == method && message.Request.Uri.Path.EndsWith("/" + tableName, StringComparison.Ordinal)
                && Interlocked.Exchange(ref _lost, 1) == 0)
            {
                throw new TaskCanceledException("injected: the answer was lost");
            }
        }
    }

    /// <summary>Accepts connections (the kernel does) and never answers: a paused or hung storage server.</summary>
    private static TcpListener HungServer()
    {
        var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start();
        return hung;
    }

    /// <summary>The app with its storage at <paramref name="hung"/> and a one-second request deadline.</summary>
    private Task<FuncAuthApp> StartAgainstAsync(TcpListener hung) =>
        FuncAuthApp.StartAsync(
            azurite,
            new Dictionary<string, string?>
            {
                ["Storage__ConnectionString"] = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{((IPEndPoint)hung.LocalEndpoint).Port}/", StringComparison.Ordinal),
                ["Storage__RequestDeadline"] = "00:00:01",
            },
            waitUntilHealthy: false);
}
