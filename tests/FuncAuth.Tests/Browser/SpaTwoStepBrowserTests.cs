using FuncAuth.Tests.Support;
using Microsoft.Playwright;
using OtpNet;
using Xunit.Abstractions;

namespace FuncAuth.Tests.Browser;

/// <summary>
/// Two-step sign-in in the demo SPA, in real Chromium: turning TOTP on from the QR page (the test reads the secret off
/// the page and computes the codes as an authenticator app would), signing in with a code and with a recovery code,
/// and the re-authentication prompt of an operation that asks for the second factor.
/// </summary>
[Collection(SpaCollection.Name)]
public sealed class SpaTwoStepBrowserTests(SpaFixture spa, ITestOutputHelper output) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        _context = await spa.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        await _context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = spa.SpaUrl });
        // A sign-in hashes a password; on a busy machine that alone can take seconds.
        _context.SetDefaultTimeout(20_000);
    }

    public async Task DisposeAsync() => await _context.CloseAsync();

    [Fact]
    public async Task TwoStepSignInIsTurnedOnFromTheQrPageThenSignsInWithACodeAndWithARecoveryCode()
    {
        var page = await _context.NewPageAsync();
        var email = await SpaPages.SignUpAsync(page, spa.SpaUrl, "twostep");

        var (secret, recoveryCodes) = await TurnOnAsync(page, screenshots: true);

        // Shown once: back on the page, only the count is left.
        await page.ClickAsync("#recovery-codes-saved");
        await page.WaitForSelectorAsync("#two-step[data-state=on] #recovery-codes-left");
        Assert.Equal("10 of 10 recovery codes left.", await page.TextContentAsync("#recovery-codes-left"));
        Assert.Equal(0, await page.Locator("#recovery-codes").CountAsync());

        await SignOutAsync(page);
        await SignInWithPasswordAsync(page, email);
        await page.WaitForSelectorAsync("#mfa-code-form");
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('funcauth.refresh_token')"));
        await page.FillAsync("#mfa-code-form input[name=code]", WrongCode(secret));
        await page.ClickAsync("#mfa-code-form button[type=submit]");
        Assert.StartsWith("That code is not right", await (await page.WaitForSelectorAsync("#mfa-code-form p.error:not([hidden])"))!.TextContentAsync(), StringComparison.Ordinal);
        await page.FillAsync("#mfa-code-form input[name=code]", NextCode(secret));
        await SpaPages.ScreenshotAsync(page, "two-step-sign-in", output);
        await page.ClickAsync("#mfa-code-form button[type=submit]");
        await SpaPages.ExpectProfileAsync(page, email);

        await SignOutAsync(page);
        await SignInWithPasswordAsync(page, email);
        await page.ClickAsync("#mfa-use-recovery");
        await page.FillAsync("#mfa-recovery-form input[name=recoveryCode]", recoveryCodes[3]);
        await page.ClickAsync("#mfa-recovery-form button[type=submit]");
        await SpaPages.ExpectProfileAsync(page, email);

        await page.ClickAsync("nav a[href='/two-step']");
        await page.WaitForSelectorAsync("#two-step[data-state=on] #recovery-codes-left");
        Assert.Equal("9 of 10 recovery codes left.", await page.TextContentAsync("#recovery-codes-left"));
    }

    [Fact]
    public async Task AnOperationThatWantsTheSecondFactorPromptsForItAndGoesThroughAfterwards()
    {
        var page = await _context.NewPageAsync();
        await SpaPages.SignUpAsync(page, spa.SpaUrl, "twostep");
        var (secret, firstCodes) = await TurnOnAsync(page, screenshots: false);
        await page.ClickAsync("#recovery-codes-saved");
        await page.WaitForSelectorAsync("#two-step[data-state=on] #regenerate-recovery-codes");

        // This session proved the password only; new recovery codes want the second factor.
        await page.ClickAsync("#regenerate-recovery-codes");
        await page.WaitForSelectorAsync("#reauth-dialog[open] #reauth-code-form");
        await SpaPages.ScreenshotAsync(page, "two-step-step-up", output);

        // The password is a proof, but not the one asked for: the prompt comes back asking for a code only.
        await page.FillAsync("#reauth-password-form input[name=password]", Api.Password);
        await page.ClickAsync("#reauth-password-form button[type=submit]");
        await page.WaitForFunctionAsync("() => document.querySelector('#reauth-dialog[open]') && !document.querySelector('#reauth-password-form')");
        Assert.Contains("needs your second factor", await page.TextContentAsync("#reauth-dialog"), StringComparison.Ordinal);

        await page.FillAsync("#reauth-code-form input[name=code]", NextCode(secret));
        await page.ClickAsync("#reauth-code-form button[type=submit]");

        await page.WaitForSelectorAsync("#new-recovery-codes #recovery-codes li");
        Assert.Equal(0, await page.Locator("#reauth-dialog").CountAsync());
        var newCodes = await page.Locator("#new-recovery-codes #recovery-codes li").AllTextContentsAsync();
        Assert.Equal(10, newCodes.Count);
        Assert.Empty(newCodes.Intersect(firstCodes));
    }

    /// <summary>Turns TOTP on from the page; returns the secret read off the page and the recovery codes it showed.</summary>
    private async Task<(string Secret, IReadOnlyList<string> RecoveryCodes)> TurnOnAsync(IPage page, bool screenshots)
    {
        await page.ClickAsync("nav a[href='/two-step']");
        await page.WaitForSelectorAsync("#two-step[data-state=off]");
        await page.ClickAsync("#totp-start");
        await page.WaitForSelectorAsync("#totp-secret");

        // The QR code is an image the browser drew from a data: URI, made on the page (no network call).
        var qr = await page.EvaluateAsync<int[]>("() => { const i = document.querySelector('#totp-qr'); return [i.complete ? 1 : 0, i.naturalWidth, i.src.startsWith('data:image/svg+xml') ? 1 : 0]; }");
        Assert.Equal(1, qr[0]);
        Assert.True(qr[1] > 0, "the QR code rendered");
        Assert.Equal(1, qr[2]);
        var secret = (await page.TextContentAsync("#totp-secret"))!.Replace(" ", "", StringComparison.Ordinal);
        Assert.Equal(32, secret.Length);
        if (screenshots)
        {
            await SpaPages.ScreenshotAsync(page, "two-step-setup", output);
        }

        await page.FillAsync("#totp-confirm-form input[name=code]", new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow));
        await page.ClickAsync("#totp-confirm-form button[type=submit]");
        await page.WaitForSelectorAsync("#recovery-codes li");
        var codes = await page.Locator("#recovery-codes li").AllTextContentsAsync();
        Assert.Equal(10, codes.Count);
        Assert.Equal(10, codes.Distinct().Count());

        await page.ClickAsync("#copy-recovery-codes");
        await page.WaitForSelectorAsync("#recovery-copied:has-text('Copied.')");
        Assert.Equal(string.Join("\n", codes), await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        if (screenshots)
        {
            await SpaPages.ScreenshotAsync(page, "two-step-recovery-codes", output);
        }

        return (secret, codes);
    }

    /// <summary>The code of the next time step: a step not yet used on this account, and within the one step of skew.</summary>
    private static string NextCode(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30));

    /// <summary>A code that is none of those the server could accept around now.</summary>
    private static string WrongCode(string secret)
    {
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        var accepted = new[] { -30, 0, 30, 60 }.Select(s => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(s))).ToHashSet();
        return Enumerable.Range(0, 10).Select(i => new string((char)('0' + i), 6)).First(c => !accepted.Contains(c));
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.ClickAsync("#sign-out");
        await page.WaitForSelectorAsync("#sign-in-form");
    }

    private static async Task SignInWithPasswordAsync(IPage page, string email)
    {
        await page.FillAsync("#sign-in-form input[name=email]", email);
        await page.FillAsync("#sign-in-form input[name=password]", Api.Password);
        await page.ClickAsync("#sign-in-form button[type=submit]");
    }
}
