using System.Net;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Accounts;

/// <summary>Auth__SessionMaxLifetime: a session ends that long after its login, however often it is refreshed.</summary>
public sealed class SessionLifetimeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task ASessionRefreshedEveryHourStillEndsAtTheMaximumLifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Auth:SessionMaxLifetime"] = "10:00:00",
            ["Auth:AccessTokenLifetime"] = "00:15:00",
            ["Auth:RefreshTokenLifetime"] = "2.00:00:00",
        }, time);
        var client = app.CreateClient();
        var tokens = await client.SignupAsync();

        for (var hour = 1; hour < 10; hour++)
        {
            time.Advance(TimeSpan.FromHours(1));
            using var refresh = await client.RefreshAsync(tokens.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
            tokens = await Tokens.ReadAsync(refresh);
        }

        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        using (var last = await client.RefreshAsync(tokens.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.OK, last.StatusCode);
            tokens = await Tokens.ReadAsync(last);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await client.RefreshAsync(tokens.RefreshToken);
        await Problem.AssertAsync(expired, HttpStatusCode.Unauthorized, "refresh_token_expired");
        using var me = await client.GetAsync("/api/auth/me", tokens.AccessToken);
        await Problem.AssertUnauthorizedAsync(me, "token_revoked");
    }
}
