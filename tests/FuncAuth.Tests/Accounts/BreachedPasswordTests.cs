using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Accounts.EmailTokens;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace FuncAuth.Tests.Accounts;

/// <summary>
/// <c>Passwords__BreachCheck</c> against a local range server that records what it receives: k-anonymity, padding,
/// refusal at signup, reset and change, and failing open within the budget when the API is down or slow.
/// </summary>
public sealed class BreachedPasswordTests(AzuriteFixture azurite) : IAsyncLifetime, IClassFixture<AzuriteFixture>
{
    private const string Breached = "monkey-business-1987";
    private const string Clean = "a passphrase nobody has leaked";

    private RangeServer _range = null!;

    public async Task InitializeAsync()
    {
        _range = await RangeServer.StartAsync();
        _range.Add(Breached, 1234);
    }

    public async Task DisposeAsync() => await _range.DisposeAsync();

    [Fact]
    public async Task OnlyFiveHexDigitsOfTheHashLeaveTheServiceWithPaddingAskedFor()
    {
        await using var app = await StartAsync(_range.BaseUrl);
        using var client = app.CreateClient();

        await client.SignupAsync(Api.NewEmail(), password: Clean);

        var (pathAndQuery, headers) = Assert.Single(_range.Requests);
        var hash = RangeServer.Sha1Hex(Clean);
        Assert.Equal("/range/" + hash[..5], pathAndQuery);
        Assert.Matches("^/range/[0-9A-F]{5}$", pathAndQuery);
        Assert.Equal("true", headers["Add-Padding"]);
        Assert.DoesNotContain(headers, h => h.Value.Contains(hash[5..], StringComparison.OrdinalIgnoreCase) || h.Value.Contains(Clean, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABreachedPasswordIsRefusedAtSignupResetAndChange()
    {
        await using var app = await StartAsync(_range.BaseUrl);
        using var client = app.CreateClient();

        using (var signup = await client.PostJsonAsync("/api/auth/signup", new { email = Api.NewEmail(), password = Breached, passwordConfirmation = Breached }))
        {
            await AssertBreachedAsync(signup);
        }

        var user = await client.SignupAsync(Api.NewEmail(), password: Clean);
        using (var change = await client.SendAsync(Api.Json(
            HttpMethod.Post, "/api/auth/password/change", new { currentPassword = Clean, password = Breached, passwordConfirmation = Breached }, user.AccessToken)))
        {
            await AssertBreachedAsync(change);
        }

        var token = await ResetTokenAsync(app, user.Email);
        using (var reset = await client.PostJsonAsync("/api/auth/password/reset", new { token, password = Breached, passwordConfirmation = Breached }))
        {
            await AssertBreachedAsync(reset);
        }

        // Nothing changed: the old password still logs in, and the reset token is still good for a clean password.
        await client.LoginAsync(user.Email, Clean);
        using var clean = await client.PostJsonAsync("/api/auth/password/reset", new { token, password = Clean + " two", passwordConfirmation = Clean + " two" });
        Assert.Equal(HttpStatusCode.NoContent, clean.StatusCode);
    }

    [Fact]
    public async Task APaddingEntryWithCountZeroIsNotABreach()
    {
        const string padded = "only a padding entry has my suffix";
        _range.Add(padded, 0);
        await using var app = await StartAsync(_range.BaseUrl);
        using var client = app.CreateClient();

        await client.SignupAsync(Api.NewEmail(), password: padded);

        Assert.Single(_range.Requests);
    }

    [Fact]
    public async Task WhenTheApiIsDownThePasswordIsAcceptedAndCounted()
    {
        var down = new Uri($"http://127.0.0.1:{LoopbackPorts.FreePort()}");
        await using var app = await StartAsync(down);
        using var unavailable = Collector(app);
        using var client = app.CreateClient();

        await client.SignupAsync(Api.NewEmail(), password: Breached);

        Assert.Equal(1, unavailable.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task WhenTheApiFailsThePasswordIsAcceptedAndCounted()
    {
        _range.Status = 503;
        await using var app = await StartAsync(_range.BaseUrl);
        using var unavailable = Collector(app);
        using var client = app.CreateClient();

        await client.SignupAsync(Api.NewEmail(), password: Breached);

        Assert.Single(_range.Requests);
        Assert.Equal(1, unavailable.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task WhenTheApiIsSlowThePasswordIsAcceptedWithinTheBudgetAndCounted()
    {
        await using var app = await StartAsync(_range.BaseUrl);
        using var unavailable = Collector(app);
        var breaches = app.Services.GetRequiredService<BreachedPasswords>();
        // One answered check first, so the time measured is the budget and not the first call's start-up work.
        Assert.True(await breaches.IsBreachedAsync(Breached, CancellationToken.None));
        _range.Delay = TimeSpan.FromSeconds(20);

        var clock = Stopwatch.StartNew();
        var found = await breaches.IsBreachedAsync(Breached, CancellationToken.None);
        var took = clock.Elapsed;

        Assert.False(found);
        Assert.InRange(took, BreachedPasswords.Budget - TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1.6));
        Assert.Equal(1, unavailable.GetMeasurementSnapshot().EvaluateAsCounter());

        // The same through the endpoint: a sign-up, not an error.
        using var client = app.CreateClient();
        await client.SignupAsync(Api.NewEmail(), password: Breached);
        Assert.Equal(2, unavailable.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(3, _range.Requests.Count);
    }

    [Fact]
    public async Task WithTheCheckOffNothingIsSent()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Passwords__BreachCheck"] = "false",
            ["Passwords__BreachApiBaseUrl"] = _range.BaseUrl.ToString(),
        });
        using var client = app.CreateClient();

        await client.SignupAsync(Api.NewEmail(), password: Breached);

        Assert.Empty(_range.Requests);
    }

    private Task<FuncAuthApp> StartAsync(Uri rangeApi) =>
        FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Passwords__BreachCheck"] = "true",
            ["Passwords__BreachApiBaseUrl"] = rangeApi.ToString(),
        });

    private static MetricCollector<long> Collector(FuncAuthApp app) =>
        new(app.Services.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName, "funcauth.breach_check.unavailable");

    private static async Task AssertBreachedAsync(HttpResponseMessage response)
    {
        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal([BreachedPasswords.Message], problem.GetProperty("errors").GetProperty("password").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("has appeared in a data breach", BreachedPasswords.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ResetTokenAsync(FuncAuthApp app, string email)
    {
        var user = await app.Services.GetRequiredService<UserStore>().FindByEmailKeyAsync(EmailAddress.StorageKey(EmailAddress.Normalize(email)), CancellationToken.None);
        var keys = await app.Services.GetRequiredService<SigningKeyRing>().GetAsync(CancellationToken.None);
        return AccountTokens.Create(AccountTokenPurpose.ResetPassword, user!, DateTimeOffset.UtcNow.AddHours(1), keys.Current);
    }
}
