using System.Net;
using FuncAuth.Core.Abuse;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Abuse;

/// <summary>The failed-login limits, across instances, under attack, and without revealing anything.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LoginLimitTests(AzuriteFixture azurite)
{
    private const string Attacker = "203.0.113.66";
    private const string Owner = "198.51.100.20";

    [Fact]
    public async Task TwoInstancesOverOneStorageLimitGuessesSpreadAcrossThemAsOne()
    {
        var settings = Attack.Limited(("Storage__TablePrefix", "t" + Guid.NewGuid().ToString("N")[..10]));
        var time = Attack.Clock();
        await using var first = await FuncAuthApp.StartAsync(azurite, settings, time);
        await using var second = await FuncAuthApp.StartAsync(azurite, settings, time);
        var clients = new[] { first.CreateClient(), second.CreateClient() };
        var user = await clients[0].SignupAsync();

        // Sequential alternation and a concurrent burst, both spread over the two instances.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await clients[i % 2].LoginFromAsync(Attacker, user.Email, Attack.WrongPassword);
            statuses.Add(response.StatusCode);
        }

        var burst = await Task.WhenAll(Enumerable.Range(0, 14).Select(i => clients[i % 2].LoginFromAsync(Attacker, user.Email, Attack.WrongPassword)));
        statuses.AddRange(burst.Select(r => r.StatusCode));

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.All(statuses.Take(6), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        using var rightPasswordFromAttacker = await clients[1].LoginFromAsync(Attacker, user.Email, Api.Password);
        await Problem.AssertAsync(rightPasswordFromAttacker, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task AThousandWrongPasswordsFromOneAddressAreThrottledWhileTheOwnerKeepsLoggingIn()
    {
        // The per-address token limit is lowered so most of the run is refused without storage work and the test stays
        // short; the failure limits are the defaults.
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(("RateLimit__TokenRequestsPerAddress__Limit", "60")), Attack.Clock());
        var client = app.CreateClient();
        var user = await client.SignupAsync();
        var statuses = new List<HttpStatusCode>();

        for (var round = 0; round < 10; round++)
        {
            var batch = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.LoginFromAsync(Attacker, user.Email, Attack.WrongPassword)));
            statuses.AddRange(batch.Select(r => r.StatusCode));
            using var owner = await client.LoginFromAsync(Owner, user.Email, Api.Password);
            Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        }

        Assert.Equal(1000, statuses.Count);
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(990, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task GuessesFromManyAddressesLockTheAccountOnlyAtThePerAccountLimitAndClearingItLetsTheOwnerIn()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(("RateLimit__LoginFailuresPerAccount__Limit", "25")), Attack.Clock());
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        for (var address = 1; address <= 3; address++)
        {
            for (var i = 0; i < 10; i++)
            {
                using var guess = await client.LoginFromAsync($"203.0.113.{address}", user.Email, Attack.WrongPassword);
                Assert.Equal(i < 10 && ((address - 1) * 10) + i < 25 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, guess.StatusCode);
            }

            if (address < 3)
            {
                using var owner = await client.LoginFromAsync(Owner, user.Email, Api.Password);
                Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
            }
        }

        // 25 failures: the per-account limit now refuses the owner too (the ASVS 6.1.1 trade-off README describes).
        using (var locked = await client.LoginFromAsync(Owner, user.Email, Api.Password))
        {
            await Problem.AssertAsync(locked, HttpStatusCode.TooManyRequests, "rate_limited");
        }

        // What a completed password reset does (docs/api.md): the account's counters go, at every address.
        await app.Services.GetRequiredService<LoginGuard>().ClearLoginFailuresAsync(user.Email, CancellationToken.None);

        using (var again = await client.LoginFromAsync(Owner, user.Email, Api.Password))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        // Also the per-address counters of the addresses the guesses came from: the new password is what protects the
        // account now, and a guess is checked (and counted) again.
        using var attacker = await client.LoginFromAsync("203.0.113.1", user.Email, Attack.WrongPassword);
        await Problem.AssertAsync(attacker, HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task AClientThatAddsItsOwnForwardedForNeitherEscapesItsLimitNorChargesAnotherAddress()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(("RateLimit__TokenRequestsPerAddress__Limit", "15")), Attack.Clock());
        var client = app.CreateClient();
        var user = await client.SignupAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            // A fresh made-up address each time, and sometimes the owner's.
            var spoofed = i % 2 == 0 ? Owner : $"192.0.2.{i}, 10.0.0.{i}";
            using var response = await client.LoginFromAsync(Attacker, user.Email, Attack.WrongPassword, spoofed);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

        // The owner's address was named twenty times by the attacker and was charged nothing: all of its own limits
        // are untouched, the per-address token limit included (15 requests all pass).
        for (var i = 0; i < 15; i++)
        {
            using var owner = await client.LoginFromAsync(Owner, user.Email, Api.Password);
            Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        }

        // The attacker's other token requests count against its real address too, whatever it claims: its 20 logins
        // used up the 15 token requests of the window.
        using var signup = await client.PostFromAsync($"192.0.2.200, {Attacker}", "/api/auth/signup", new { email = Api.NewEmail(), password = Api.Password, passwordConfirmation = Api.Password });
        await Problem.AssertAsync(signup, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task TheLimiterAnswersKnownAndUnknownAccountsAlikeAndARightPasswordWhenThrottledToo()
    {
        // A fixed clock: both accounts' windows end at the same second, so even Retry-After must match.
        var time = Attack.Clock();
        await using var app = await FuncAuthApp.StartAsync(azurite, Attack.Limited(), time);
        var client = app.CreateClient();
        var known = await client.SignupAsync();
        var unknown = Api.NewEmail("nobody");

        var knownAnswers = await AnswersAsync(client, known.Email);
        var unknownAnswers = await AnswersAsync(client, unknown);

        Assert.Equal(knownAnswers, unknownAnswers);
        Assert.Equal(Enumerable.Repeat("401", 10).Concat(Enumerable.Repeat("429", 2)), knownAnswers.Select(a => a[..3]));

        using var rightButThrottled = await client.LoginFromAsync(Attacker, known.Email, Api.Password);
        Assert.Equal(knownAnswers[^1], await DescribeAsync(rightButThrottled));

        // Retry-After is the rest of the window; once it has passed, guesses are answered again.
        time.Advance(rightButThrottled.Headers.RetryAfter!.Delta!.Value);
        using var nextWindow = await client.LoginFromAsync(Attacker, known.Email, Api.Password);
        Assert.Equal(HttpStatusCode.OK, nextWindow.StatusCode);
    }

    private static async Task<List<string>> AnswersAsync(HttpClient client, string email)
    {
        var answers = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await client.LoginFromAsync(Attacker, email, Attack.WrongPassword);
            answers.Add(await DescribeAsync(response));
        }

        return answers;
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        var body = await response.ReadJsonAsync();
        var fields = string.Join(",", body.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"));
        return $"{(int)response.StatusCode} retry-after={response.Headers.RetryAfter?.Delta?.TotalSeconds} {fields}";
    }
}
