using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Accounts;

/// <summary>
/// A credential change takes effect everywhere at once (docs/api.md, "Security stamp"): a login whose password check
/// started before a reset or a disable and finished after it gets tokens, but its session is refused at the first
/// refresh and at <c>me</c>; an API key created while its owner was being disabled never works. The race is made
/// deterministic by holding the racing request's first write after its check until the change is done.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CredentialChangeRaceTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string NewPassword = "a brand new passphrase";
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;
    private Tokens _admin = null!;

    public async Task InitializeAsync()
    {
        // One signing key for the app and its held twin below.
        _app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__SigningKey"] = TestKeys.NewPem() });
        _client = _app.CreateClient();
        _admin = await _client.SignupAsync(FuncAuthApp.AdminEmail);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ALoginWhosePasswordCheckStraddlesAResetIsRefusedAtItsFirstRefresh()
    {
        var user = await _client.SignupAsync();

        var login = await LoginAcrossAsync(user.Email, async () =>
        {
            using var reset = await _client.PostJsonAsync("/api/auth/password/reset", new { token = await _app.ResetTokenAsync(user.Email), password = NewPassword, passwordConfirmation = NewPassword });
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        });

        await AssertSessionRefusedAsync(login);
        // The reset itself is whole: the new password signs in.
        await AssertSessionWorksAsync(await _client.LoginAsync(user.Email, NewPassword));
    }

    [Fact]
    public async Task ALoginWhosePasswordCheckStraddlesADisableIsRefusedAtItsFirstRefreshAndStaysRefusedAfterEnable()
    {
        var user = await _client.SignupAsync();

        var login = await LoginAcrossAsync(user.Email, () => AdminAsync($"/api/users/{user.UserId}/disable"));

        await AssertSessionRefusedAsync(login);
        await AdminAsync($"/api/users/{user.UserId}/enable");
        // Enabling the account does not bring back a session opened while it was being disabled.
        using var again = await _client.RefreshAsync(login.RefreshToken);
        await Problem.AssertAsync(again, HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    [Fact]
    public async Task AnApiKeyCreatedInTheWindowOfADisableNeverWorks()
    {
        var user = await _client.SignupAsync();
        await using var held = Held(out var gate);
        // Key creation: list, index entry, then the key's insert into the user's partition: held there.
        gate.Arm(r => r.Method == RequestMethod.Post && r.Uri.Path.Contains("UserSessions", StringComparison.Ordinal));
        var creating = held.CreateClient().CreateKeyAsync(user.AccessToken);
        await gate.Reached;
        await AdminAsync($"/api/users/{user.UserId}/disable");
        gate.Release();
        var key = await creating;

        using (var me = await _client.MeWithKeyAsync(key.Key))
        {
            await Problem.AssertAsync(me, HttpStatusCode.Unauthorized, "invalid_api_key");
        }

        // Not only while disabled: the key was made under a stamp the account no longer has.
        await AdminAsync($"/api/users/{user.UserId}/enable");
        using (var me = await _client.MeWithKeyAsync(key.Key))
        {
            await Problem.AssertAsync(me, HttpStatusCode.Unauthorized, "invalid_api_key");
        }

        var (status, _, body) = await ApiKeyApi.ClientCredentialsAsync(_app, ApiKeyApi.Fields(("client_id", key.Id), ("client_secret", key.Key)));
        Assert.Equal(401, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task APasswordChangeKeepsTheCallersSessionAndEndsARacingLoginsSession()
    {
        var user = await _client.SignupAsync();

        var login = await LoginAcrossAsync(user.Email, async () =>
        {
            using var change = await _client.PostJsonAsync("/api/auth/password/change", new { currentPassword = Api.Password, password = NewPassword, passwordConfirmation = NewPassword }, user.AccessToken);
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        });

        await AssertSessionRefusedAsync(login);
        await AssertSessionWorksAsync(user);
    }

    /// <summary>Logs in on a twin of the app whose session write is held until <paramref name="change"/> is done.</summary>
    private async Task<Tokens> LoginAcrossAsync(string email, Func<Task> change)
    {
        await using var held = Held(out var gate);
        // A login reads the account, checks the password, then files the session's cleanup entry: held there.
        gate.Arm(r => r.Method == RequestMethod.Put && r.Uri.Path.Contains("SessionExpiry", StringComparison.Ordinal));
        var login = held.CreateClient().LoginAsync(email);
        await gate.Reached;
        await change();
        gate.Release();
        return await login;
    }

    private WebApplicationFactory<Program> Held(out Gate gate)
    {
        var hold = new Gate();
        gate = hold;
        return _app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var options = new TableClientOptions();
            options.AddPolicy(hold, HttpPipelinePosition.PerCall);
            services.AddSingleton(options);
        }));
    }

    private async Task AssertSessionRefusedAsync(Tokens session)
    {
        using (var me = await _client.GetAsync("/api/auth/me", session.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        }

        using var refreshed = await _client.RefreshAsync(session.RefreshToken);
        await Problem.AssertAsync(refreshed, HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    private async Task AssertSessionWorksAsync(Tokens session)
    {
        using (var me = await _client.GetAsync("/api/auth/me", session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using var refreshed = await _client.RefreshAsync(session.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    private async Task AdminAsync(string path)
    {
        using var response = await _client.SendAsync(Api.Authorized(HttpMethod.Post, path, _admin.AccessToken));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }


    /// <summary>Holds the first storage request that matches until released, and says when it got there.</summary>
    private sealed class Gate : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Func<Request, bool>? _match;

        public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

        public void Arm(Func<Request, bool> match) => _match = match;

        public void Release() => _released.TrySetResult();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The app calls storage asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (Interlocked.Exchange(ref _match, null) is { } match)
            {
                if (match(message.Request))
                {
                    _reached.TrySetResult();
                    await _released.Task.WaitAsync(TimeSpan.FromSeconds(60));
                }
                else
                {
                    _match = match;
                }
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
