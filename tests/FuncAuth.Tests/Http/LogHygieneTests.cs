using System.Net;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Logging.Testing;

namespace FuncAuth.Tests.Http;

/// <summary>Auth events are logged with user and session ids, and never with a secret.</summary>
public sealed class LogHygieneTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task AFullSignupLoginRefreshLogoutRunLogsItsEventsButNoPasswordOrToken()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var client = app.CreateClient();
        const string wrongPassword = "definitely-not-the-password";
        var signup = await client.SignupAsync(name: "Log Hygiene");
        using (await client.PostJsonAsync("/api/auth/login", new { email = signup.Email, password = wrongPassword }))
        {
        }

        var login = await client.LoginAsync(signup.Email);
        using var refreshResponse = await client.RefreshAsync(login.RefreshToken);
        var refreshed = await Tokens.ReadAsync(refreshResponse);
        using (await client.RefreshAsync(login.RefreshToken))
        {
        }

        using (var me = await client.GetAsync("/api/auth/me", refreshed.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using (var logout = await client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/logout", refreshed.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        var records = app.Logs.GetSnapshot();
        var text = string.Join('\n', records.Select(Render));

        foreach (var secret in new[] { Api.Password, wrongPassword, signup.AccessToken, signup.RefreshToken, login.AccessToken, login.RefreshToken, refreshed.AccessToken, refreshed.RefreshToken })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            // Nor a recognisable piece of one (a JWT signature, a refresh token's MAC).
            Assert.DoesNotContain(secret.Split('.')[^1], text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(signup.Email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AQAAAA", text, StringComparison.Ordinal); // the prefix of an Identity v3 password hash

        var events = records.Where(r => r.Category?.StartsWith("FuncAuth", StringComparison.Ordinal) == true).Select(r => r.Id.Id).ToHashSet();
        Assert.Superset(new HashSet<int> { 1001, 1010, 1011, 1020, 1021, 1030 }, events);
        Assert.Contains(records, r => r.Id.Id == 1010 && r.Message.Contains(signup.UserId, StringComparison.Ordinal));
    }

    private static string Render(FakeLogRecord record) =>
        record.Message + " " + record.Exception + " " + string.Join(' ', record.StructuredState?.Select(p => p.Key + "=" + p.Value) ?? []);
}
