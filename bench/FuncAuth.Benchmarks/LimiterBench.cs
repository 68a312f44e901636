using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FuncAuth.Core;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using FuncAuth.Tests.Support;

namespace FuncAuth.Benchmarks;

/// <summary>
/// The rate limits against a real Azurite on loopback: what they add to a login in milliseconds, and whether a
/// throttled or failed login takes the same time for a known and an unknown account. Medians of interleaved runs.
/// Run: dotnet run -c Release --project bench/FuncAuth.Benchmarks -- limits
/// </summary>
internal static class LimiterBench
{
    private const string Password = "correct horse battery staple";

    public static async Task RunAsync(int runs)
    {
        var root = RepoRoot();
        var port = LoopbackPorts.FreePort();
        using var azurite = LocalProcesses.StartNode(
            Path.Combine(root, "node_modules", "azurite", "dist", "src", "table", "main.js"), "--tableHost", "127.0.0.1", "--tablePort",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        try
        {
            await LocalProcesses.WaitForPortAsync(port, TimeSpan.FromSeconds(90), azurite);
            var settings = new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
                ["Storage:TablePrefix"] = "bench",
                // No internet, and no network time in the figures.
                ["Passwords:BreachCheck"] = "false",
                // High failure limits, so the unthrottled measurements stay unthrottled.
                ["RateLimit:LoginFailuresPerAccountAndAddress:Limit"] = "100000",
                ["RateLimit:LoginFailuresPerAccount:Limit"] = "100000",
            };
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddFuncAuthCore(configuration, isDevelopment: true);
            await using var provider = services.BuildServiceProvider();
            await provider.GetRequiredService<AuthTables>().EnsureCreatedAsync(CancellationToken.None);
            var accounts = provider.GetRequiredService<AccountService>();
            var guard = provider.GetRequiredService<LoginGuard>();
            var limiter = provider.GetRequiredService<AbuseLimits>();

            var known = $"bench-{Guid.NewGuid():N}@example.com";
            var signup = await accounts.SignupAsync(known, Password, Password, null, CancellationToken.None);
            if (signup is not SignupResult.Created)
            {
                throw new InvalidOperationException("bench signup failed");
            }

            var unknown = $"nobody-{Guid.NewGuid():N}@example.com";
            var address = 0;

            Console.WriteLine("Limits on a login (ms, median of {0}, Azurite on loopback)", runs);
            var samples = Interleaved(runs,
                () => accounts.LoginAsync(known, Password, CancellationToken.None),
                () => guard.LoginAsync(known, Password, $"198.51.100.{++address % 250}", CancellationToken.None),
                () => accounts.LoginAsync(known, "wrong password", CancellationToken.None),
                () => guard.LoginAsync(known, "wrong password", "203.0.113.1", CancellationToken.None),
                () => guard.LoginAsync(unknown, "wrong password", "203.0.113.1", CancellationToken.None));
            var (plain, limited, plainWrong, knownWrong, unknownWrong) = (Median(samples[0]), Median(samples[1]), Median(samples[2]), Median(samples[3]), Median(samples[4]));
            Report("login, right password, no limits", plain, plain, "baseline");
            Report("login, right password, limits on", limited, plain, $"cost {limited - plain:F1} ms");
            Report("login, wrong password, no limits", plainWrong, plainWrong, "baseline");
            Report("login, wrong password, known account", knownWrong, plainWrong, $"cost {knownWrong - plainWrong:F1} ms");
            Report("login, wrong password, unknown account", unknownWrong, knownWrong, "vs known; target 0.9-1.1 (no enumeration)");

            // Throttled: a tiny per-account-and-address limit for both accounts at one address.
            var tight = new Dictionary<string, string?>(settings) { ["RateLimit:LoginFailuresPerAccountAndAddress:Limit"] = "1", ["Storage:TablePrefix"] = "benchtight" };
            var tightServices = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                .AddFuncAuthCore(new ConfigurationBuilder().AddInMemoryCollection(tight).Build(), isDevelopment: true);
            await using var tightProvider = tightServices.BuildServiceProvider();
            await tightProvider.GetRequiredService<AuthTables>().EnsureCreatedAsync(CancellationToken.None);
            var tightGuard = tightProvider.GetRequiredService<LoginGuard>();
            var tightAccounts = tightProvider.GetRequiredService<AccountService>();
            await tightAccounts.SignupAsync(known, Password, Password, null, CancellationToken.None);
            await tightGuard.LoginAsync(known, "wrong password", "203.0.113.2", CancellationToken.None);
            await tightGuard.LoginAsync(unknown, "wrong password", "203.0.113.2", CancellationToken.None);
            var throttled = Interleaved(runs * 4,
                () => tightGuard.LoginAsync(known, Password, "203.0.113.2", CancellationToken.None),
                () => tightGuard.LoginAsync(unknown, Password, "203.0.113.2", CancellationToken.None));
            Report("throttled login, known account", Median(throttled[0]), Median(throttled[0]), "baseline");
            Report("throttled login, unknown account", Median(throttled[1]), Median(throttled[0]), "vs known; target 0.9-1.1 (no enumeration)");

            var counter = Interleaved(runs * 4,
                () => limiter.TryAcquireAsync(RateLimitName.TokenRequestsPerAddress, Guid.NewGuid().ToString("N"), CancellationToken.None),
                () => limiter.TryAcquireAsync(RateLimitName.TokenRequestsPerAddress, "busy-address", CancellationToken.None));
            Report("address counter, first request of a window (1 call)", Median(counter[0]), Median(counter[0]), "baseline");
            Report("address counter, later request (3 calls)", Median(counter[1]), Median(counter[0]), "");
        }
        finally
        {
            azurite.Kill(entireProcessTree: true);
            await azurite.WaitForExitAsync();
        }
    }

    private static List<double>[] Interleaved(int runs, params Func<Task>[] actions)
    {
        var samples = actions.Select(_ => new List<double>()).ToArray();
        foreach (var action in actions)
        {
            action().GetAwaiter().GetResult(); // warm-up
        }

        for (var i = 0; i < runs; i++)
        {
            for (var a = 0; a < actions.Length; a++)
            {
                var start = Stopwatch.GetTimestamp();
                actions[a]().GetAwaiter().GetResult();
                samples[a].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        return samples;
    }

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void Report(string name, double median, double baseline, string note) =>
        Console.WriteLine($"  {name,-55} {median,8:F2}  ×{median / baseline,5:F2}  {note}");

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FuncAuth.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
    }
}
