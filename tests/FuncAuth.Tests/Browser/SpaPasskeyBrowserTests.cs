using System.Text.Json;
using FuncAuth.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace FuncAuth.Tests.Browser;

/// <summary>
/// Passkeys in real Chromium, with a CDP virtual authenticator in place of the device's (WebAuthn.enable,
/// WebAuthn.addVirtualAuthenticator: CTAP2, internal transport, resident keys, user verification): the demo SPA adds a
/// passkey, signs out, signs back in with it without a password, and deletes it; an authenticator that never
/// registered is refused.
/// </summary>
[Collection(SpaCollection.Name)]
public sealed class SpaPasskeyBrowserTests(SpaFixture spa, ITestOutputHelper output) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        _context = await spa.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 720 } });
        _context.SetDefaultTimeout(15_000);
    }

    public async Task DisposeAsync() => await _context.CloseAsync();

    [Fact]
    public async Task APasskeyIsAddedSignsInWithoutAPasswordAndIsDeleted()
    {
        var page = await _context.NewPageAsync();
        // The button's path: without this, the sign-in page's autofill request (conditional mediation) is answered by
        // the virtual authenticator on its own before the button is pressed.
        await page.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = async () => false;");
        var authenticator = await VirtualAuthenticatorAsync(page);
        var email = await SignUpAsync(page);

        await page.ClickAsync("nav a[href='/passkeys']");
        await page.WaitForSelectorAsync("#no-passkeys");
        await page.FillAsync("#passkey-form input[name=name]", "Virtual authenticator");
        await page.ClickAsync("#passkey-form button[type=submit]");
        await page.WaitForSelectorAsync("#passkey-form p.success");
        await page.WaitForSelectorAsync("#passkeys-list tbody tr");
        Assert.Equal("Virtual authenticator", await page.TextContentAsync("#passkeys-list .passkey-name"));
        var stored = await CredentialsAsync(authenticator);
        var credential = Assert.Single(stored.EnumerateArray());
        Assert.True(credential.GetProperty("isResidentCredential").GetBoolean());
        Assert.Equal("localhost", credential.GetProperty("rpId").GetString());
        await ScreenshotAsync(page, "passkeys-added");
        Assert.Contains((await spa.Smtp.WaitForMailAsync(email, 2, TimeSpan.FromSeconds(30))).Select(m => m.Subject), s => s == "A passkey was added to your account");

        await page.ClickAsync("#sign-out");
        await page.WaitForSelectorAsync("#sign-in-form");
        await ScreenshotAsync(page, "passkey-sign-in");
        await page.ClickAsync("#passkey-sign-in");

        // Signed in with no password typed: the authenticator verified the user and signed the challenge.
        await page.WaitForSelectorAsync("#profile-status[data-state=loaded]");
        Assert.Equal(email, await page.TextContentAsync("#profile-email"));
        Assert.Equal(2, (await CredentialsAsync(authenticator))[0].GetProperty("signCount").GetInt32());

        await page.ClickAsync("nav a[href='/passkeys']");
        await page.WaitForSelectorAsync("#passkeys-list tbody tr");
        Assert.NotEqual("—", await page.TextContentAsync("#passkeys-list tbody td:nth-child(3)"));

        // Step-up: the same session proves the passkey again (POST /api/auth/reauthenticate { passkey }).
        var sessionsBefore = await SessionRowsAsync();
        await page.ClickAsync("#reauth-passkey");
        await page.WaitForFunctionAsync("() => document.querySelector('#reauth-result').textContent.startsWith('Confirmed')");
        Assert.Equal(3, (await CredentialsAsync(authenticator))[0].GetProperty("signCount").GetInt32());
        Assert.Equal(sessionsBefore, await SessionRowsAsync());
        await ScreenshotAsync(page, "passkey-step-up");

        await page.ClickAsync("#passkeys-list tbody button");
        await page.WaitForSelectorAsync("#no-passkeys");
        await ScreenshotAsync(page, "passkeys-deleted");

        // Deleted at the server: the credential the authenticator still holds no longer signs in.
        await page.ClickAsync("#sign-out");
        await page.WaitForSelectorAsync("#sign-in-form");
        await page.ClickAsync("#passkey-sign-in");
        Assert.Equal(
            "That passkey was not accepted. Try again, or sign in with your password.",
            await (await page.WaitForSelectorAsync("#passkey-sign-in-error:not([hidden])"))!.TextContentAsync());
    }

    [Fact]
    public async Task TheSignInPageOffersThePasskeyInTheAutofillAndSignsInWithIt()
    {
        var page = await _context.NewPageAsync();
        await VirtualAuthenticatorAsync(page);
        var email = await SignUpAsync(page);
        await page.ClickAsync("nav a[href='/passkeys']");
        await page.ClickAsync("#passkey-form button[type=submit]");
        await page.WaitForSelectorAsync("#passkeys-list tbody tr");
        await page.ClickAsync("#sign-out");

        // Conditional mediation: the page asks at load, the (virtual) authenticator answers with the passkey it holds.
        await page.WaitForSelectorAsync("#profile-status[data-state=loaded]");
        Assert.Equal(email, await page.TextContentAsync("#profile-email"));
    }

    [Fact]
    public async Task AnAuthenticatorThatNeverRegisteredIsRefused()
    {
        // The authenticator holds a passkey for this RP id that the server never registered.
        var page = await _context.NewPageAsync();
        await page.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = async () => false;");
        var authenticator = await VirtualAuthenticatorAsync(page);
        await authenticator.Session.SendAsync("WebAuthn.addCredential", new Dictionary<string, object>
        {
            ["authenticatorId"] = authenticator.Id,
            ["credential"] = new Dictionary<string, object>
            {
                ["credentialId"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray()),
                ["isResidentCredential"] = true,
                ["rpId"] = "localhost",
                ["privateKey"] = Convert.ToBase64String(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKey()),
                ["userHandle"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray()),
                ["signCount"] = 0,
            },
        });
        await page.GotoAsync(spa.PasskeySpaUrl + "/sign-in");

        await page.ClickAsync("#passkey-sign-in");

        Assert.Equal(
            "That passkey was not accepted. Try again, or sign in with your password.",
            await (await page.WaitForSelectorAsync("#passkey-sign-in-error:not([hidden])"))!.TextContentAsync());
        await ScreenshotAsync(page, "passkey-refused");
        await page.GotoAsync(spa.PasskeySpaUrl + "/profile");
        await page.WaitForSelectorAsync("#sign-in-form");
    }

    private sealed record Authenticator(ICDPSession Session, string Id);

    /// <summary>How many session rows the server holds (a step-up opens none).</summary>
    private async Task<int> SessionRowsAsync()
    {
        var count = 0;
        await foreach (var row in spa.SessionsTable().QueryAsync<Azure.Data.Tables.TableEntity>(select: ["RowKey"]))
        {
            if (row.RowKey.StartsWith("s:", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A platform authenticator with user verification, as a phone or laptop has, that answers by itself.</summary>
    private static async Task<Authenticator> VirtualAuthenticatorAsync(IPage page)
    {
        var session = await page.Context.NewCDPSessionAsync(page);
        await session.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var result = await session.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["ctap2Version"] = "ctap2_1",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return new(session, result!.Value.GetProperty("authenticatorId").GetString()!);
    }

    private static async Task<JsonElement> CredentialsAsync(Authenticator authenticator) =>
        (await authenticator.Session.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticator.Id }))!
            .Value.GetProperty("credentials").Clone();

    private async Task<string> SignUpAsync(IPage page)
    {
        var email = Api.NewEmail("passkey");
        await page.GotoAsync(spa.PasskeySpaUrl + "/sign-up");
        await page.FillAsync("#sign-up-form input[name=email]", email);
        await page.FillAsync("#sign-up-form input[name=password]", Api.Password);
        await page.FillAsync("#sign-up-form input[name=passwordConfirmation]", Api.Password);
        await page.ClickAsync("#sign-up-form button[type=submit]");
        await page.WaitForSelectorAsync("#profile-status[data-state=loaded]");
        return email;
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(SpaFixture.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine("Screenshot: " + path);
    }
}
