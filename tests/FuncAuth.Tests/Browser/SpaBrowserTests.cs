using System.Diagnostics;
using Azure.Data.Tables;
using FuncAuth.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace FuncAuth.Tests.Browser;

/// <summary>
/// The demo SPA (samples/spa) and the JavaScript client (clients/js) in real headless Chromium against the real app.
/// Each test has its own browser context: its own localStorage, locks and channels, like a separate browser profile.
/// </summary>
[Collection(SpaCollection.Name)]
public sealed class SpaBrowserTests(SpaFixture spa, ITestOutputHelper output) : IAsyncLifetime
{
    private const string RefreshTokenKey = "funcauth.refresh_token";
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        _context = await spa.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 720 } });
        _context.SetDefaultTimeout(10_000);
    }

    public async Task DisposeAsync() => await _context.CloseAsync();

    [Fact]
    public async Task SigningUpShowsTheProfileAndAReloadKeepsTheSession()
    {
        var page = await _context.NewPageAsync();
        var email = Api.NewEmail("spa");

        await page.GotoAsync(spa.SpaUrl + "/sign-up");
        await page.FillAsync("#sign-up-form input[name=email]", email);
        await page.FillAsync("#sign-up-form input[name=name]", "Ann Example");
        await page.FillAsync("#sign-up-form input[name=password]", Api.Password);
        await page.FillAsync("#sign-up-form input[name=passwordConfirmation]", Api.Password);
        await ScreenshotAsync(page, "sign-up");
        await page.ClickAsync("#sign-up-form button[type=submit]");

        await ExpectProfileAsync(page, email);
        Assert.Equal("Ann Example", await page.TextContentAsync("#profile-name"));
        await ScreenshotAsync(page, "profile");

        await page.ReloadAsync();

        await ExpectProfileAsync(page, email);
        Assert.Equal("/profile", new Uri(page.Url).AbsolutePath);

        // The other screens, for the record.
        await page.ClickAsync("nav a[href='/sessions']");
        await page.WaitForSelectorAsync("#sessions-list :is(table, p.error)");
        await ScreenshotAsync(page, "sessions");
        await page.ClickAsync("nav a[href='/password']");
        await page.WaitForSelectorAsync("#password-form");
        await ScreenshotAsync(page, "change-password");
    }

    [Fact]
    public async Task TwoTabsOpenWhenTheAccessTokenExpiresStaySignedInWithOneRotation()
    {
        var first = await _context.NewPageAsync();
        var email = await SignUpAsync(first);
        var second = await _context.NewPageAsync();
        await second.GotoAsync(spa.SpaUrl + "/profile");
        await ExpectProfileAsync(second, email);
        var (userId, sessionId) = SessionOf(await RefreshTokenAsync(first));
        var requestsBefore = spa.Refreshes.Requests;
        var arrivalsBefore = spa.Refreshes.Arrivals.Count;
        var counterBefore = await RotationCounterAsync(userId, sessionId);

        // Both tabs hold a token that falls due at the same moment; wait for the refresh, then past the old expiry.
        var clock = Stopwatch.StartNew();
        while (spa.Refreshes.Requests == requestsBefore)
        {
            Assert.True(clock.Elapsed < SpaFixture.AccessTokenLifetime + TimeSpan.FromSeconds(5), "No tab refreshed the access token.");
            await Task.Delay(100);
        }

        await Task.Delay(SpaFixture.AccessTokenLifetime / 4 + TimeSpan.FromMilliseconds(500));
        foreach (var page in new[] { first, second })
        {
            await page.ClickAsync("#reload-profile");
            await page.WaitForSelectorAsync("#profile-status[data-state=loaded]");
            Assert.Equal(email, await page.TextContentAsync("#profile-email"));
        }

        // One rotation for the expiry both tabs shared. On a slow machine the clicks above can take long enough for the
        // next scheduled refresh (three quarters of a lifetime later) to come too: that one is not a second tab's.
        var arrivals = spa.Refreshes.Arrivals.Skip(arrivalsBefore).ToList();
        var sameExpiry = arrivals.Count(at => Stopwatch.GetElapsedTime(arrivals[0], at) < SpaFixture.AccessTokenLifetime / 2);
        Assert.Equal(1, sameExpiry);
        Assert.Equal(counterBefore + arrivals.Count, await RotationCounterAsync(userId, sessionId));
        Assert.Equal(await RefreshTokenAsync(first), await RefreshTokenAsync(second));
        await ScreenshotAsync(second, "second-tab-after-refresh");
    }

    [Fact]
    public async Task SigningOutInOneTabSignsOutTheOtherWithinTwoSeconds()
    {
        var first = await _context.NewPageAsync();
        var email = await SignUpAsync(first);
        var second = await _context.NewPageAsync();
        await second.GotoAsync(spa.SpaUrl + "/profile");
        await ExpectProfileAsync(second, email);

        var clock = Stopwatch.StartNew();
        await first.ClickAsync("#sign-out");
        await second.WaitForSelectorAsync("#sign-in-form", new() { Timeout = 2_000 });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"The other tab took {clock.Elapsed.TotalMilliseconds:F0} ms.");
        await first.WaitForSelectorAsync("#sign-in-form");
        Assert.Null(await RefreshTokenAsync(second));
        Assert.Contains("signed out", await second.TextContentAsync("#notice"), StringComparison.Ordinal);
        await ScreenshotAsync(second, "signed-out-in-other-tab");
    }

    [Fact]
    public async Task APageOnAnOriginThatIsNotAllowedCannotReadAResponse()
    {
        const string Probe = """
            async ([api, email]) => {
              const attempt = async (request) => {
                try { const r = await request(); return `read ${r.status}`; } catch (e) { return `blocked ${e.name}`; }
              };
              return [
                await attempt(() => fetch(api + "/api/health")),
                await attempt(() => fetch(api + "/api/auth/login", {
                  method: "POST", headers: { "Content-Type": "application/json" },
                  body: JSON.stringify({ email, password: "wrong password" }) })),
              ];
            }
            """;
        var allowed = await _context.NewPageAsync();
        await allowed.GotoAsync(spa.SpaUrl + "/sign-in");
        var other = await _context.NewPageAsync();
        await other.GotoAsync(spa.OtherOriginUrl + "/sign-in");

        var fromAllowed = await allowed.EvaluateAsync<string[]>(Probe, new[] { spa.ApiUrl, Api.NewEmail() });
        var fromOther = await other.EvaluateAsync<string[]>(Probe, new[] { spa.ApiUrl, Api.NewEmail() });

        Assert.Equal(["read 200", "read 401"], fromAllowed);
        Assert.Equal(["blocked TypeError", "blocked TypeError"], fromOther);

        // The SPA itself on that origin: its sign-in cannot get through either.
        await other.FillAsync("#sign-in-form input[name=email]", Api.NewEmail());
        await other.FillAsync("#sign-in-form input[name=password]", Api.Password);
        await other.ClickAsync("#sign-in-form button[type=submit]");
        var message = await other.WaitForSelectorAsync("#sign-in-form p.error:not([hidden])");
        Assert.Contains("cannot be reached", await message!.TextContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(other, "origin-not-allowed");
    }

    [Fact]
    public async Task ABreachedPasswordIsRefusedInWordsAPersonCanActOn()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(spa.SpaUrl + "/sign-up");
        await page.FillAsync("#sign-up-form input[name=email]", Api.NewEmail("spa"));
        await page.FillAsync("#sign-up-form input[name=password]", SpaFixture.BreachedPassword);
        await page.FillAsync("#sign-up-form input[name=passwordConfirmation]", SpaFixture.BreachedPassword);
        await page.ClickAsync("#sign-up-form button[type=submit]");

        // Beside the password field, where the server's field errors go.
        var message = await page.WaitForSelectorAsync("#sign-up-form .field-error[data-for=password]:not(:empty)");
        Assert.StartsWith("This password has appeared in a data breach", await message!.TextContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "sign-up-breached-password");
    }

    private Task<string> SignUpAsync(IPage page) => SpaPages.SignUpAsync(page, spa.SpaUrl, "spa");

    /// <summary>The profile screen, loaded from GET /api/auth/me (so with a token the server accepted).</summary>
    private static Task ExpectProfileAsync(IPage page, string email) => SpaPages.ExpectProfileAsync(page, email);

    private static Task<string?> RefreshTokenAsync(IPage page) =>
        page.EvaluateAsync<string?>("key => localStorage.getItem(key)", RefreshTokenKey);

    /// <summary>A refresh token is userId.sessionId.counter.kid.mac (README, Tokens).</summary>
    private static (string UserId, string SessionId) SessionOf(string? refreshToken)
    {
        Assert.NotNull(refreshToken);
        var parts = refreshToken.Split('.');
        return (parts[0], parts[1]);
    }

    /// <summary>The session's rotation counter as the server stored it.</summary>
    private async Task<long> RotationCounterAsync(string userId, string sessionId)
    {
        var entity = await spa.SessionsTable().GetEntityAsync<TableEntity>(userId, "s:" + sessionId);
        return entity.Value.GetInt64("Counter") ?? throw new InvalidOperationException("The session has no rotation counter.");
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(SpaFixture.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine("Screenshot: " + path);
    }
}
