using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace FuncAuth.Benchmarks.Load;

/// <summary>
/// The hash bulkhead under a login flood (docs/api.md): waves of N concurrent logins (N users, each with the right
/// password, so no failed-login limit has a say) against an app with the given hash slots and queue, while one other
/// client refreshes and calls me one request after the other. Each repetition measures that client idle, then during
/// the waves, for each variant side by side, so all see the same machine. Reports, per variant and N, the logins answered 200 and 503 (each 503 checked for Retry-After), and refresh and me p50/p99 idle and
/// during, with the ratio of the p99s; medians over the repetitions.
/// flood --app DIR [--waves-for 4] [--reps 3] [--concurrency 16,64] [--variants 2x20,1x20]; give --app NAME=DIR more than
/// once to compare builds (before and after a change) in the same run, each with every variant, measured in turn. A
/// variant is hash slots × queue length; the default compares both cores hashing with the default of one core left free.
/// </summary>
internal static class FloodBench
{
    private const string Password = "correct horse battery staple";

    public static async Task<int> RunAsync(string[] args)
    {
        var folders = new List<(string Name, string Folder)>();
        var seconds = 4.0;
        var reps = 3;
        int[] concurrency = [16, 64];
        var variants = new List<(int Slots, int Queue)> { (2, 20), (1, 20) };
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--app" when args[i + 1].Split('=', 2) is [var appName, var appFolder] && !appName.Contains('/'):
                    folders.Add((appName, appFolder));
                    break;
                case "--app": folders.Add(("", args[i + 1])); break;
                case "--waves-for": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = args[i + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--variants":
                    variants = args[i + 1].Split(',').Select(v => v.Split('x')).Select(v => (
                        int.Parse(v[0], CultureInfo.InvariantCulture), int.Parse(v[1], CultureInfo.InvariantCulture))).ToList();
                    break;
                default: Console.Error.WriteLine("flood: unknown option " + args[i]); return 2;
            }
        }

        if (folders.Count == 0)
        {
            Console.Error.WriteLine("flood: give --app FOLDER (a publish or build output with the FuncAuth.Functions executable)");
            return 2;
        }

        // A 2-core Flex Consumption instance: two hash slots was the default before, one (a core left free) is the default
        // now; a queue of 20 is 2 cores × Auth__HashesPerSecondPerSlot (10), the default, given explicitly because the
        // benchmark's app otherwise gets a queue of 1000 (LoadStack). A queue of 4 was the v2 default.
        Console.WriteLine("Flood: waves of {0} concurrent logins for {1} s, {2} repetitions; load average {3}; {4} cores",
            string.Join(" and ", concurrency), seconds, reps, ProcStats.LoadAverage(), Environment.ProcessorCount);

        await using var storage = await LoadStorage.StartAsync();
        var apps = new List<(string Name, PublishedApp App, string[] Emails, string[] Refresh)>();
        try
        {
            foreach (var (folderName, folder) in folders)
            foreach (var (slots, queue) in variants)
            {
                var variantName = $"{slots} slots, queue {queue}";
                var name = folderName.Length == 0 ? variantName : folderName + " " + variantName;
                var prefix = "f" + Guid.NewGuid().ToString("N")[..10];
                await storage.CreateTablesAsync(prefix);
                var app = PublishedApp.Start(folder, storage.ConnectionString, PublishedApp.NewSigningKey(), prefix, new Dictionary<string, string>
                {
                    ["Auth__MaxConcurrentHashes"] = slots.ToString(CultureInfo.InvariantCulture),
                    ["Auth__MaxQueuedHashes"] = queue.ToString(CultureInfo.InvariantCulture),
                });
                await app.WaitHealthyAsync(TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20));
                var flooded = new List<string>();
                for (var u = 0; u < concurrency.Max(); u++)
                {
                    flooded.Add((await SignupAsync(app.Client)).Email);
                }

                var other = await SignupAsync(app.Client);
                apps.Add((name, app, flooded.ToArray(), [other.Refresh]));
                await MeasureAsync(app.Client, apps[^1].Refresh, TimeSpan.FromMilliseconds(500), null);
            }

            var rows = new List<(string Variant, int N, Sample Idle, Sample During, int Ok, int Busy, int BusyWithoutRetryAfter, int Other)>();
            for (var rep = 0; rep < reps; rep++)
            {
                foreach (var n in concurrency)
                {
                    foreach (var (name, app, emails, refresh) in apps)
                    {
                        var idle = await MeasureAsync(app.Client, refresh, TimeSpan.FromSeconds(seconds), null);
                        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
                        var waves = WavesAsync(app.Client, emails, n, stop.Token);
                        var during = await MeasureAsync(app.Client, refresh, TimeSpan.Zero, waves);
                        var (ok, busy, noRetryAfter, other) = await waves;
                        rows.Add((name, n, idle, during, ok, busy, noRetryAfter, other));
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine("{0,-24} {1,4} {2,7} {3,7} {4,6} {5,-26} {6,-26} {7,-26} {8,-26}", "variant", "N", "200", "503", "other",
                "refresh p50/p99 idle", "refresh p50/p99 during", "me p50/p99 idle", "me p50/p99 during");
            foreach (var group in rows.GroupBy(r => (r.Variant, r.N)))
            {
                var g = group.ToList();
                Console.WriteLine("{0,-24} {1,4} {2,7} {3,7} {4,6} {5,-26} {6,-26} {7,-26} {8,-26}",
                    group.Key.Variant, group.Key.N, g.Sum(r => r.Ok), g.Sum(r => r.Busy), g.Sum(r => r.Other + r.BusyWithoutRetryAfter),
                    Pair(g.Select(r => r.Idle.RefreshP50), g.Select(r => r.Idle.RefreshP99)),
                    Pair(g.Select(r => r.During.RefreshP50), g.Select(r => r.During.RefreshP99)) + $" x{Median(g.Select(r => r.During.RefreshP99 / r.Idle.RefreshP99)):F2}",
                    Pair(g.Select(r => r.Idle.MeP50), g.Select(r => r.Idle.MeP99)),
                    Pair(g.Select(r => r.During.MeP50), g.Select(r => r.During.MeP99)) + $" x{Median(g.Select(r => r.During.MeP99 / r.Idle.MeP99)):F2}");
            }

            Console.WriteLine("200/503/other: totals over the repetitions (\"other\" counts any other status, and 503s without Retry-After).");
            Console.WriteLine("Latencies in ms, medians over the repetitions; xN: median ratio of the p99 during the waves to the p99 idle.");
            Console.WriteLine("Load average at the end: {0}", ProcStats.LoadAverage());
        }
        finally
        {
            foreach (var (_, app, _, _) in apps)
            {
                await app.DisposeAsync();
            }
        }

        return 0;
    }

    private static string Pair(IEnumerable<double> p50, IEnumerable<double> p99) =>
        string.Format(CultureInfo.InvariantCulture, "{0:F1}/{1:F1}", Median(p50), Median(p99));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Waves of <paramref name="n"/> concurrent logins until <paramref name="stop"/>; the statuses counted.</summary>
    private static async Task<(int Ok, int Busy, int BusyWithoutRetryAfter, int Other)> WavesAsync(HttpClient client, string[] emails, int n, CancellationToken stop)
    {
        int ok = 0, busy = 0, noRetryAfter = 0, other = 0;
        do
        {
            var wave = await Task.WhenAll(Enumerable.Range(0, n).Select(i => client.PostAsync("/api/auth/login", Json(new { email = emails[i], password = Password }))));
            foreach (var response in wave)
            {
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK: ok++; break;
                    case HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter?.Delta > TimeSpan.Zero: busy++; break;
                    case HttpStatusCode.ServiceUnavailable: noRetryAfter++; break;
                    default: other++; break;
                }

                response.Dispose();
            }
        }
        while (!stop.IsCancellationRequested);

        return (ok, busy, noRetryAfter, other);
    }

    private sealed record Sample(double RefreshP50, double RefreshP99, double MeP50, double MeP99);

    /// <summary>Refresh then me, one after the other, for <paramref name="duration"/> or until <paramref name="until"/> ends.</summary>
    private static async Task<Sample> MeasureAsync(HttpClient client, string[] refreshToken, TimeSpan duration, Task? until)
    {
        var refreshes = new List<double>();
        var mes = new List<double>();
        var clock = Stopwatch.StartNew();
        while (until is null ? clock.Elapsed < duration : !until.IsCompleted)
        {
            var start = Stopwatch.GetTimestamp();
            using var refresh = await client.PostAsync("/api/auth/refresh", Json(new { refresh_token = refreshToken[0] }));
            var body = await refresh.Content.ReadAsStringAsync();
            refreshes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (refresh.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"refresh answered {(int)refresh.StatusCode}: {body}");
            }

            using var tokens = JsonDocument.Parse(body);
            refreshToken[0] = tokens.RootElement.GetProperty("refresh_token").GetString()!;
            using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
            me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.RootElement.GetProperty("access_token").GetString());
            start = Stopwatch.GetTimestamp();
            using var meResponse = await client.SendAsync(me);
            await meResponse.Content.ReadAsByteArrayAsync();
            mes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (meResponse.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"me answered {(int)meResponse.StatusCode}");
            }
        }

        return new Sample(Percentile(refreshes, 0.5), Percentile(refreshes, 0.99), Percentile(mes, 0.5), Percentile(mes, 0.99));
    }

    private static double Percentile(List<double> samples, double p)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        samples.Sort();
        return samples[Math.Clamp((int)Math.Ceiling(samples.Count * p) - 1, 0, samples.Count - 1)];
    }

    private static async Task<(string Email, string Refresh)> SignupAsync(HttpClient client)
    {
        var email = $"flood-{Guid.NewGuid():N}@example.com";
        using var response = await client.PostAsync("/api/auth/signup", Json(new { email, password = Password, passwordConfirmation = Password }));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"signup answered {(int)response.StatusCode}: {body}");
        }

        using var tokens = JsonDocument.Parse(body);
        return (email, tokens.RootElement.GetProperty("refresh_token").GetString()!);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
