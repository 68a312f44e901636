using System.Net;
using Microsoft.Extensions.Time.Testing;
using OtpNet;

namespace FuncAuth.Tests.Support;

/// <summary>Second-factor steps as a client takes them, on an app whose clock the test holds.</summary>
public static class MfaApi
{
    /// <summary>Enrols TOTP for <paramref name="user"/> and confirms it with the current code: the secret and the recovery codes.</summary>
    public static async Task<(byte[] Secret, string[] RecoveryCodes)> EnrolTotpAsync(this HttpClient client, Tokens user, TimeProvider time)
    {
        using var start = await client.PostJsonAsync("/api/auth/mfa/totp", new { }, user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var secret = Base32Encoding.ToBytes((await start.ReadJsonAsync()).GetProperty("secret").GetString());
        using var confirm = await client.PostJsonAsync("/api/auth/mfa/totp/confirm", new { code = Code(secret, time) }, user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var codes = (await confirm.ReadJsonAsync()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        return (secret, codes);
    }

    /// <summary>The TOTP code of <paramref name="secret"/> at the app's time.</summary>
    public static string Code(byte[] secret, TimeProvider time) => new Totp(secret).ComputeTotp(time.GetUtcNow().UtcDateTime);

    /// <summary>The password step of a sign-in to an account with TOTP: asserts <c>mfa_required</c> and returns its <c>mfaToken</c>.</summary>
    public static async Task<string> MfaTokenAsync(this HttpClient client, string email, string? address = null)
    {
        var request = Api.Json(HttpMethod.Post, "/api/auth/login", new { email, password = Api.Password });
        if (address is not null)
        {
            request.Headers.Add("X-Forwarded-For", address);
        }

        using var response = await client.SendAsync(request);
        var problem = await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "mfa_required");
        return problem.GetProperty("mfaToken").GetString()!;
    }
}

/// <summary>A fresh app per test whose clock the test holds (a minute into a day, standing still until advanced).</summary>
public abstract class ClockedAppTests(AzuriteFixture azurite) : IAsyncLifetime
{
    protected AzuriteFixture Azurite { get; } = azurite;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddMinutes(1), TimeSpan.Zero));

    protected FuncAuthApp App { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await FuncAuthApp.StartAsync(Azurite, time: Time);
        Client = App.CreateClient();
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}
