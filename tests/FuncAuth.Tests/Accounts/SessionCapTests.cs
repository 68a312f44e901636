using System.Net;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Accounts;

/// <summary><c>Auth__MaxSessionsPerUser</c>: a login beyond the cap ends the user's least recently used session.</summary>
public sealed class SessionCapTests(AzuriteFixture azurite) : IAsyncLifetime, IClassFixture<AzuriteFixture>
{
    private const int Cap = 3;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__MaxSessionsPerUser"] = Cap.ToString() }, _time);
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task TheLoginBeyondTheCapEndsTheLeastRecentlyUsedSession()
    {
        var first = await _client.SignupAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await _client.LoginAsync(first.Email);
        _time.Advance(TimeSpan.FromMinutes(1));
        var third = await _client.LoginAsync(first.Email);
        _time.Advance(TimeSpan.FromMinutes(1));
        // The oldest session is used again, so the second becomes the least recently used.
        using (var refresh = await _client.RefreshAsync(first.RefreshToken))
        {
            first = await Tokens.ReadAsync(refresh);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        var fourth = await _client.LoginAsync(first.Email);

        using (var ended = await _client.GetAsync("/api/auth/me", second.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(ended, "token_revoked");
        }

        foreach (var live in new[] { first, third, fourth })
        {
            using var me = await _client.GetAsync("/api/auth/me", live.AccessToken);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using var list = await _client.GetAsync("/api/auth/sessions", fourth.AccessToken);
        Assert.Equal(Cap, (await list.ReadJsonAsync()).GetArrayLength());
        var stored = _app.Table("UserSessions").Query<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == first.UserId)
            .Single(e => e.GetString("RevokedReason") is not null);
        Assert.Equal("session_limit", stored.GetString("RevokedReason"));
    }

    [Fact]
    public async Task LoginsUpToTheCapEndNothing()
    {
        var tokens = new List<Tokens> { await _client.SignupAsync() };
        for (var i = 1; i < Cap; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            tokens.Add(await _client.LoginAsync(tokens[0].Email));
        }

        foreach (var live in tokens)
        {
            using var me = await _client.GetAsync("/api/auth/me", live.AccessToken);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }
    }
}
