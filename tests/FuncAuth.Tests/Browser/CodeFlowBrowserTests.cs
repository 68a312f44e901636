using FuncAuth.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace FuncAuth.Tests.Browser;

/// <summary>
/// The authorization code flow in real headless Chromium: the sample client (samples/oauth-client) on its own origin
/// sends the user through FuncAuth's authorization endpoint to the demo SPA's sign-in and consent page, and back.
/// </summary>
[Collection(SpaCollection.Name)]
public sealed class CodeFlowBrowserTests(SpaFixture spa, ITestOutputHelper output) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        _context = await spa.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1000, Height = 640 } });
        // Generous: the flow crosses three origins and two servers on a machine that may be busy.
        _context.SetDefaultTimeout(30_000);
        _context.SetDefaultNavigationTimeout(30_000);
    }

    public async Task DisposeAsync() => await _context.CloseAsync();

    [Fact]
    public async Task TheSampleClientSignsAUserInThroughTheSignInAndConsentPage()
    {
        var email = await SignUpAsync();
        var page = await _context.NewPageAsync();

        await page.GotoAsync(spa.SampleClientUrl + "/");
        await page.ClickAsync("#sign-in");

        // FuncAuth's authorization endpoint sent the browser to the SPA's sign-in page, which names the client.
        await page.WaitForURLAsync(url => url.StartsWith(spa.SpaUrl + "/authorize?request=", StringComparison.Ordinal));
        Assert.Equal("Notes (sample app)", await page.TextContentAsync("#client-name"));
        await SignInOnThePageAsync(page, email);

        await page.WaitForSelectorAsync("#consent-allow");
        Assert.Contains(email, await page.TextContentAsync("#consent-question"), StringComparison.Ordinal);
        Assert.Contains("see your email address", await page.TextContentAsync("#consent-scopes"), StringComparison.Ordinal);
        await ScreenshotAsync(page, "oauth-consent");
        await page.ClickAsync("#consent-allow");

        // Back on the client's origin, which exchanged the code and called me with the token.
        await page.WaitForSelectorAsync("#email");
        Assert.Equal(email, await page.TextContentAsync("#email"));
        Assert.Equal(spa.SampleClientUrl + "/", page.Url);
        await ScreenshotAsync(page, "oauth-signed-in");
    }

    [Fact]
    public async Task DenyingTakesTheUserBackToTheClientWithoutASession()
    {
        var email = await SignUpAsync();
        var page = await _context.NewPageAsync();
        await page.GotoAsync(spa.SampleClientUrl + "/");
        await page.ClickAsync("#sign-in");
        await SignInOnThePageAsync(page, email);

        await page.ClickAsync("#consent-deny");

        await page.WaitForSelectorAsync("#error");
        Assert.Equal("You declined to sign in.", await page.TextContentAsync("#error"));
        Assert.StartsWith(spa.SampleClientUrl, page.Url, StringComparison.Ordinal);
        await ScreenshotAsync(page, "oauth-denied");
    }

    [Fact]
    public async Task AnAspNetCoreOpenIdConnectAppSignsAUserInAndShowsTheIdTokensClaims()
    {
        var email = await SignUpAsync();
        var page = await _context.NewPageAsync();

        // The app's home page needs a user: its OpenID Connect handler sends the browser to FuncAuth.
        await page.GotoAsync(spa.OidcAppUrl + "/");
        await page.WaitForURLAsync(url => url.StartsWith(spa.SpaUrl + "/authorize?request=", StringComparison.Ordinal));
        Assert.Equal("OIDC web app (sample)", await page.TextContentAsync("#client-name"));
        await SignInOnThePageAsync(page, email);
        await page.ClickAsync("#consent-allow");

        // Back at the app, which redeemed the code and validated the id_token (signature, iss, aud, nonce, lifetime).
        await page.WaitForSelectorAsync("#claims");
        Assert.Equal(spa.OidcAppUrl + "/", page.Url);
        var claims = await page.InnerTextAsync("#claims");
        // The handler checked the nonce and drops it (with aud, iat, exp) from the identity; these stay.
        Assert.Contains("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", claims, StringComparison.Ordinal);
        Assert.Contains("auth_time", claims, StringComparison.Ordinal);
        Assert.Contains("pwd", claims, StringComparison.Ordinal);
        await ScreenshotAsync(page, "oidc-web-app-signed-in");
    }

    /// <summary>The SPA's sign-in form on its authorization page, the same form as on its home page.</summary>
    private static async Task SignInOnThePageAsync(IPage page, string email)
    {
        await page.FillAsync("#sign-in-form input[name=email]", email);
        await page.FillAsync("#sign-in-form input[name=password]", Api.Password);
        await page.ClickAsync("#sign-in-form button[type=submit]");
    }

    private async Task<string> SignUpAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri(spa.ApiUrl) };
        var email = Api.NewEmail("oauth");
        // The app here keeps the production deadline (2 s); on a busy machine a sign-up's hash can take longer: retry.
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password });
            // A retry after a sign-up that finished in the background finds the address taken: the account is there.
            if (response.StatusCode == System.Net.HttpStatusCode.Created || (attempt > 1 && response.StatusCode == System.Net.HttpStatusCode.Conflict))
            {
                return email;
            }

            Assert.True(response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < 3, await response.Content.ReadAsStringAsync());
            await Task.Delay(500);
        }
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(SpaFixture.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine("Screenshot: " + path);
    }
}
