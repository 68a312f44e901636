using System.Net;
using System.Text.RegularExpressions;
using FuncAuth.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace FuncAuth.Tests.Browser;

/// <summary>
/// The account screens of the demo SPA in real Chromium: profile, sessions, password change, and the pages the emailed
/// links open, with the emails read from smtp4dev.
/// </summary>
[Collection(SpaCollection.Name)]
public sealed class SpaAccountBrowserTests(SpaFixture spa, ITestOutputHelper output) : IAsyncLifetime
{
    private const string NewPassword = "Granite-Lantern-47-Orbit";
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        _context = await spa.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 720 } });
        _context.SetDefaultTimeout(10_000);
    }

    public async Task DisposeAsync() => await _context.CloseAsync();

    [Fact]
    public async Task AForgottenPasswordIsResetFromTheEmailedLinkAndOnlyTheNewOneSignsIn()
    {
        var email = Api.NewEmail("reset");
        using (var api = ApiClient())
        {
            await api.SignupAsync(email);
        }

        var page = await _context.NewPageAsync();
        await page.GotoAsync(spa.SpaUrl + "/sign-in");
        await page.ClickAsync("a[href='/forgot-password']");
        await page.FillAsync("#forgot-form input[name=email]", email);
        await page.ClickAsync("#forgot-form button[type=submit]");
        await page.WaitForSelectorAsync("#forgot-form p.success");

        var link = await LinkInMailAsync(email, "reset-password");
        await page.GotoAsync(link);
        await page.WaitForSelectorAsync("#reset-form");
        // The token is taken out of the address bar (and its history entry) as soon as the page has read it.
        Assert.Equal(spa.SpaUrl + "/reset-password", page.Url);
        await page.FillAsync("#reset-form input[name=password]", NewPassword);
        await page.FillAsync("#reset-form input[name=passwordConfirmation]", NewPassword);
        await ScreenshotAsync(page, "reset-password");
        await page.ClickAsync("#reset-form button[type=submit]");

        await page.WaitForSelectorAsync("#sign-in-form");
        Assert.Contains("Your password is set", await page.TextContentAsync("#notice"), StringComparison.Ordinal);
        await SignInAsync(page, email, Api.Password);
        Assert.Equal("Wrong email or password.", await (await page.WaitForSelectorAsync("#sign-in-form p.error:not([hidden])"))!.TextContentAsync());
        await SignInAsync(page, email, NewPassword);
        await ExpectProfileAsync(page, email);
    }

    [Fact]
    public async Task TheActivityPageListsWhatHappenedNewestFirstWithDeviceAndAddress()
    {
        var page = await _context.NewPageAsync();
        var email = await SignUpAsync(page);
        // A wrong password from somewhere else, then a right one from curl: both on the trail, the refusal marked.
        using (var api = ApiClient())
        {
            api.DefaultRequestHeaders.Add("User-Agent", "curl/8.5.0");
            using var wrong = await api.PostJsonAsync("/api/auth/login", new { email, password = "not the password at all" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            await api.LoginAsync(email);
        }

        await page.ClickAsync("nav a[href='/activity']");
        await page.WaitForSelectorAsync("#activity-list table");
        var rows = page.Locator("#activity-list tbody tr");
        Assert.Equal(3, await rows.CountAsync());
        Assert.Equal(["login_succeeded", "login_failed", "signup"], await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.type)"));
        Assert.Equal("Signed in", await rows.Nth(0).Locator("td").Nth(1).TextContentAsync());
        Assert.Equal("curl", await rows.Nth(0).Locator("td").Nth(2).TextContentAsync());
        Assert.Equal("Sign-in refused: invalid password", await rows.Nth(1).Locator("td").Nth(1).TextContentAsync());
        Assert.Contains("warn", await rows.Nth(1).GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        Assert.Equal("Account created", await rows.Nth(2).Locator("td").Nth(1).TextContentAsync());
        Assert.Equal("Chrome on Linux", await rows.Nth(2).Locator("td").Nth(2).TextContentAsync());
        // The browser reached the API directly on loopback: the address is shown with why it is no one client's.
        Assert.Contains("(loopback)", await rows.Nth(2).Locator("td").Nth(3).TextContentAsync() ?? "", StringComparison.Ordinal);
        await ScreenshotAsync(page, "activity");
    }

    [Fact]
    public async Task AChangedNameIsShownAndKeptAfterAReload()
    {
        var page = await _context.NewPageAsync();
        var email = await SignUpAsync(page);

        await page.FillAsync("#profile-form input[name=name]", "Grace Renamed");
        await page.ClickAsync("#profile-form button[type=submit]");
        await page.WaitForSelectorAsync("#profile-form p.success");
        Assert.Equal("Grace Renamed", await page.TextContentAsync("#profile-name"));
        await ScreenshotAsync(page, "profile-updated");

        await page.ReloadAsync();

        await ExpectProfileAsync(page, email);
        Assert.Equal("Grace Renamed", await page.TextContentAsync("#profile-name"));
        Assert.Equal("Grace Renamed", await page.InputValueAsync("#profile-form input[name=name]"));
        Assert.Equal("Grace Renamed", await page.TextContentAsync("#who"));
    }

    [Fact]
    public async Task SigningOutAllOtherDevicesEndsTheOtherSessionAndSigningOutThisDeviceEndsThisOne()
    {
        var page = await _context.NewPageAsync();
        var email = await SignUpAsync(page);
        using var api = ApiClient();
        var other = await api.LoginAsync(email);

        await page.ClickAsync("nav a[href='/sessions']");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#sessions-list tbody tr').length === 2");
        Assert.Equal(1, await page.Locator("#sessions-list tbody tr.current").CountAsync());
        // The server's labels: headless Chromium on this machine, and the test's HttpClient, which sends no User-Agent.
        Assert.StartsWith("Chrome on Linux", await page.Locator("#sessions-list tbody tr.current td").First.TextContentAsync(), StringComparison.Ordinal);
        Assert.StartsWith("Unknown device", await page.Locator("#sessions-list tbody tr:not(.current) td").First.TextContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "sessions-two-devices");

        await page.ClickAsync("#sign-out-others");

        await page.WaitForFunctionAsync("() => document.querySelectorAll('#sessions-list tbody tr').length === 1");
        Assert.Equal(1, await page.Locator("#sessions-list tbody tr.current").CountAsync());
        Assert.Equal("Every other device is signed out.", await page.TextContentAsync("#sessions-result"));
        using (var refresh = await api.RefreshAsync(other.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }

        using (var me = await api.GetAsync("/api/auth/me", other.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        }

        await ScreenshotAsync(page, "sessions-others-signed-out");

        await page.ClickAsync("#sign-out-here");

        await page.WaitForSelectorAsync("#sign-in-form");
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('funcauth.refresh_token')"));
        await page.GotoAsync(spa.SpaUrl + "/sessions");
        await page.WaitForSelectorAsync("#sign-in-form");
    }

    [Fact]
    public async Task AChangedPasswordSignsInAndTheOldOneNoLongerDoes()
    {
        var page = await _context.NewPageAsync();
        var email = await SignUpAsync(page);

        await page.ClickAsync("nav a[href='/password']");
        await page.FillAsync("#password-form input[name=currentPassword]", Api.Password);
        await page.FillAsync("#password-form input[name=password]", NewPassword);
        await page.FillAsync("#password-form input[name=passwordConfirmation]", NewPassword);
        await page.ClickAsync("#password-form button[type=submit]");
        await page.WaitForSelectorAsync("#password-form p.success");
        await ScreenshotAsync(page, "password-changed");

        // This device stays signed in.
        await page.ClickAsync("nav a[href='/profile']");
        await ExpectProfileAsync(page, email);
        await page.ClickAsync("#sign-out");
        await SignInAsync(page, email, Api.Password);
        Assert.Equal("Wrong email or password.", await (await page.WaitForSelectorAsync("#sign-in-form p.error:not([hidden])"))!.TextContentAsync());
        await SignInAsync(page, email, NewPassword);
        await ExpectProfileAsync(page, email);
    }

    [Fact]
    public async Task TheEmailedVerificationLinkMarksTheProfileConfirmed()
    {
        var page = await _context.NewPageAsync();
        var email = await SignUpAsync(page);
        Assert.Equal("not confirmed", await page.TextContentAsync("#profile .badge"));

        await page.GotoAsync(await LinkInMailAsync(email, "verify-email"));

        await page.WaitForSelectorAsync("#verify-status.success");
        Assert.Equal(spa.SpaUrl + "/verify-email", page.Url);
        await ScreenshotAsync(page, "email-verified");
        await page.ClickAsync("main a[href='/profile'], #app a[href='/profile']");
        await ExpectProfileAsync(page, email);
        await page.WaitForSelectorAsync("#profile .badge.ok");
        Assert.Equal("confirmed", await page.TextContentAsync("#profile .badge"));

        // Confirmed at the server too, not only in this tab's memory.
        await page.ReloadAsync();
        await ExpectProfileAsync(page, email);
        Assert.Equal("confirmed", await page.TextContentAsync("#profile .badge"));
    }

    [Fact]
    public async Task TheInteractiveApiReferenceRendersTheDocumentOfALocalRun()
    {
        var page = await _context.NewPageAsync();

        await page.GotoAsync(spa.ApiUrl + "/api/docs");

        await page.GetByText("/api/auth/password/reset").First.WaitForAsync(new() { Timeout = 20_000 });
        await ScreenshotAsync(page, "api-reference");
    }

    private HttpClient ApiClient() => new() { BaseAddress = new Uri(spa.ApiUrl) };

    private Task<string> SignUpAsync(IPage page) => SpaPages.SignUpAsync(page, spa.SpaUrl, "spa");

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.WaitForSelectorAsync("#sign-in-form");
        await page.FillAsync("#sign-in-form input[name=email]", email);
        await page.FillAsync("#sign-in-form input[name=password]", password);
        await page.ClickAsync("#sign-in-form button[type=submit]");
    }

    private static Task ExpectProfileAsync(IPage page, string email) => SpaPages.ExpectProfileAsync(page, email);

    /// <summary>The link to the SPA's <paramref name="path"/> page in the newest mail to the address that has one.</summary>
    private async Task<string> LinkInMailAsync(string to, string path)
    {
        var pattern = new Regex(Regex.Escape(spa.SpaUrl + "/" + path + "?token=") + "[A-Za-z0-9_.%-]+");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var link = (await spa.Smtp.MailToAsync(to)).Select(m => pattern.Match(m.Text)).LastOrDefault(m => m.Success)?.Value;
            if (link is not null)
            {
                return link;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No mail to the address with a {path} link arrived.");
            await Task.Delay(200);
        }
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(SpaFixture.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine("Screenshot: " + path);
    }
}
