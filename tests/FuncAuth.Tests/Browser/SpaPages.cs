using FuncAuth.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace FuncAuth.Tests.Browser;

/// <summary>Steps of the demo SPA that several browser test classes take: signing up, the loaded profile, a screenshot.</summary>
internal static class SpaPages
{
    /// <summary>Signs up a new account on the SPA's sign-up page (password <see cref="Api.Password"/>); returns its email.</summary>
    public static async Task<string> SignUpAsync(IPage page, string spaUrl, string emailPrefix)
    {
        var email = Api.NewEmail(emailPrefix);
        await page.GotoAsync(spaUrl + "/sign-up");
        await page.FillAsync("#sign-up-form input[name=email]", email);
        await page.FillAsync("#sign-up-form input[name=password]", Api.Password);
        await page.FillAsync("#sign-up-form input[name=passwordConfirmation]", Api.Password);
        await page.ClickAsync("#sign-up-form button[type=submit]");
        await ExpectProfileAsync(page, email);
        return email;
    }

    /// <summary>The profile screen, loaded from GET /api/auth/me (so with a token the server accepted).</summary>
    public static async Task ExpectProfileAsync(IPage page, string email)
    {
        await page.WaitForSelectorAsync("#profile-status[data-state=loaded]");
        Assert.Equal(email, await page.TextContentAsync("#profile-email"));
    }

    /// <summary>Saves a screenshot under artifacts/screenshots and names it in the test's output.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, ITestOutputHelper output)
    {
        var path = Path.Combine(SpaFixture.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine("Screenshot: " + path);
    }
}
