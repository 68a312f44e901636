using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace FuncAuth.Benchmarks.Load;

/// <summary>
/// Signup, login, refresh and me against the published app (and Azurite) at 1, 8 and 32 clients. Several variants
/// (builds or GC settings) run side by side, their windows interleaved, so they see the same machine; each figure is
/// the median over the repetitions of its window.
/// </summary>
internal static class LoadBench
{
    private const string Password = "correct horse battery staple";

    private static readonly string[] AllOperations = ["signup", "login", "refresh", "me"];

    /// <summary>
    /// load --app NAME=DIR [--app NAME=DIR ...] [--peer NAME=DIR] [--env NAME:KEY=VALUE ...] [--clients 1,8,32] [--duration 3]
    /// [--reps 3] [--warmup 0.5] [--ops signup,login,refresh,me]. --env sets an environment variable for the variant NAME
    /// only, so one build can run side by side under several runtime settings (the same folder may be given under several
    /// names). --peer adds the ASP.NET Core Identity peer (the build folder of bench/FuncAuth.IdentityPeer), its windows
    /// interleaved with the app's: its CPU is its whole process, SQLite included.
    /// </summary>
    public static async Task<int> RunLoadAsync(string[] args)
    {
        var options = LoadOptions.Parse(args, [1, 8, 32], AllOperations);
        var variants = options.Apps.Select(app => new Variant(app.Name, app.Folder, options.EnvironmentOf(app.Name))).ToList();
        variants.AddRange(options.Peers.Select(peer => new Variant(peer.Name, peer.Folder, options.EnvironmentOf(peer.Name), IsPeer: true)));
        if (variants.Count == 0)
        {
            Console.Error.WriteLine("load: give at least one --app NAME=PUBLISH_FOLDER");
            return 2;
        }

        await RunAsync(variants, options);
        return 0;
    }

    /// <summary>
    /// gc --app DIR [--clients 8] ...: the same load on one build under several GC settings. The server variants need a
    /// build published with -p:IlcLinkServerGC=true (bench/load.sh gc makes one): a Native AOT executable linked with the
    /// workstation GC alone ignores DOTNET_gcServer=1 and runs them as workstation.
    /// </summary>
    public static async Task<int> RunGcAsync(string[] args)
    {
        var options = LoadOptions.Parse(args, [8], ["login", "refresh", "me"]);
        if (options.Apps.Count != 1)
        {
            Console.Error.WriteLine("gc: give one --app NAME=PUBLISH_FOLDER");
            return 2;
        }

        var folder = options.Apps[0].Folder;
        var variants = new List<Variant>
        {
            new("as built", folder, new Dictionary<string, string>()),
            new("server+DATAS", folder, new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCDynamicAdaptationMode"] = "1" }),
            new("server no DATAS", folder, new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCDynamicAdaptationMode"] = "0" }),
            new("wks concurrent", folder, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "1" }),
            new("wks non-conc", folder, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0" }),
            new("wks nc conserve5", folder, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0", ["DOTNET_GCConserveMemory"] = "5" }),
            new("wks nc gen0 4MB", folder, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0", ["DOTNET_GCgen0size"] = "400000" }),
        };
        await RunAsync(variants, options);
        return 0;
    }

    private static async Task RunAsync(List<Variant> variants, LoadOptions options)
    {
        Console.WriteLine("Load: {0} s windows, {1} repetitions, interleaved across {2} variant(s); load average {3}; {4} cores",
            options.Duration.TotalSeconds, options.Reps, variants.Count, ProcStats.LoadAverage(), Environment.ProcessorCount);
        foreach (var variant in variants)
        {
            Console.WriteLine("  {0,-18} {1} {2}", variant.Name, variant.Folder, string.Join(' ', variant.Environment.Select(e => e.Key + "=" + e.Value)));
        }

        await using var storage = await LoadStorage.StartAsync();
        var users = options.Clients.Max();
        var running = new List<Running>();
        try
        {
            foreach (var variant in variants)
            {
                PublishedApp app;
                if (variant.IsPeer)
                {
                    app = PublishedApp.StartPeer(variant.Folder, variant.Environment);
                }
                else
                {
                    var prefix = "b" + Guid.NewGuid().ToString("N")[..10];
                    await storage.CreateTablesAsync(prefix);
                    app = PublishedApp.Start(variant.Folder, storage.ConnectionString, PublishedApp.NewSigningKey(), prefix, variant.Environment);
                }

                running.Add(new Running(variant, app));
                await app.WaitHealthyAsync(TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20));
            }

            // Users to log in with, and one pass of every operation so no window pays a first call.
            foreach (var run in running)
            {
                await run.SeedAsync(users);
                var warmupClients = Math.Min(users, 2);
                await run.PrepareSessionsAsync(warmupClients);
                foreach (var operation in options.Operations)
                {
                    await RunWindowAsync(run, storage, operation, warmupClients, options.Warmup);
                }
            }

            var results = new List<Row>();
            foreach (var clients in options.Clients)
            {
                foreach (var run in running)
                {
                    await run.PrepareSessionsAsync(clients);
                    ProcStats.ResetPeak(run.App.Process.Id);
                }

                for (var rep = 0; rep < options.Reps; rep++)
                {
                    foreach (var operation in options.Operations)
                    {
                        foreach (var run in running)
                        {
                            var window = await RunWindowAsync(run, storage, operation, clients, options.Duration);
                            results.Add(new Row(run.Variant.Name, clients, operation, window));
                        }
                    }
                }

                foreach (var run in running)
                {
                    run.PeakKib[clients] = ProcStats.StatusKib(run.App.Process.Id, "VmHWM");
                }
            }

            Print(results, running, options);
        }
        finally
        {
            foreach (var run in running)
            {
                await run.App.DisposeAsync();
            }
        }
    }

    private static void Print(List<Row> results, List<Running> running, LoadOptions options)
    {
        Console.WriteLine();
        Console.WriteLine("Medians of {0} windows of {1} s; load average at the end {2}", options.Reps, options.Duration.TotalSeconds, ProcStats.LoadAverage());
        Console.WriteLine("{0,-18} {1,7} {2,-8} {3,8} {4,8} {5,8} {6,9} {7,9} {8,7} {9,7} {10,7} {11,6} {12,8}",
            "variant", "clients", "op", "req/s", "p50 ms", "p99 ms", "app CPU", "Azur CPU", "table", "(limit)", "queue", "errors", "peak RSS");
        Console.WriteLine("{0,-18} {1,7} {2,-8} {3,8} {4,8} {5,8} {6,9} {7,9} {8,7} {9,7} {10,7} {11,6} {12,8}",
            "", "", "", "", "", "", "ms/req", "ms/req", "calls/r", "calls/r", "calls/r", "", "MiB");
        foreach (var clients in options.Clients)
        {
            foreach (var operation in options.Operations)
            {
                foreach (var run in running)
                {
                    var windows = results.Where(r => r.Variant == run.Variant.Name && r.Clients == clients && r.Operation == operation).Select(r => r.Window).ToList();
                    Console.WriteLine("{0,-18} {1,7} {2,-8} {3,8:N1} {4,8:N1} {5,8:N1} {6,9:N3} {7,9:N3} {8,7:N2} {9,7:N2} {10,7:N2} {11,6} {12,8:N1}",
                        run.Variant.Name, clients, operation,
                        Median(windows.Select(w => w.PerSecond)), Median(windows.Select(w => w.P50)), Median(windows.Select(w => w.P99)),
                        Median(windows.Select(w => w.AppCpuPerRequest)), Median(windows.Select(w => w.AzuriteCpuPerRequest)),
                        Median(windows.Select(w => w.TableCallsPerRequest)), Median(windows.Select(w => w.RateLimitCallsPerRequest)), Median(windows.Select(w => w.QueueCallsPerRequest)),
                        windows.Sum(w => w.Errors), run.PeakKib.GetValueOrDefault(clients) / 1024.0);
                }
            }
        }

        var apps = running.Where(r => !r.Variant.IsPeer).ToList();
        foreach (var peer in running.Where(r => r.Variant.IsPeer))
        {
            foreach (var clients in options.Clients)
            {
                foreach (var operation in options.Operations)
                {
                    var peerCpu = Median(results.Where(r => r.Variant == peer.Variant.Name && r.Clients == clients && r.Operation == operation).Select(r => r.Window.AppCpuPerRequest));
                    Console.WriteLine("  {0} clients, {1}: app CPU per request / {2}'s whole process: {3}", clients, operation, peer.Variant.Name, string.Join(", ", apps.Select(app =>
                        FormattableString.Invariant($"{app.Variant.Name} x{Median(results.Where(r => r.Variant == app.Variant.Name && r.Clients == clients && r.Operation == operation).Select(r => r.Window.AppCpuPerRequest)) / peerCpu:N2}"))));
                }
            }
        }

        Console.WriteLine("app CPU / Azurite CPU: utime+stime of the process over the window / requests (10 ms ticks); table/queue: HTTP requests through");
        Console.WriteLine("the counting proxy per request, (limit) the part of the table calls that went to the RateLimits table; peak RSS: VmHWM of");
        Console.WriteLine("the app over that client level (reset at its start). Rate limits raised so nothing is refused; request deadline 60 s.");
    }

    private static async Task<Window> RunWindowAsync(Running run, LoadStorage storage, string operation, int clients, TimeSpan duration)
    {
        var appBefore = run.App.CpuTicks;
        var azuriteBefore = storage.CpuTicks;
        var tablesBefore = storage.TableCalls.Count;
        var queuesBefore = storage.QueueCalls.Count;
        var limitsBefore = storage.TableCalls.RateLimitCount;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(async worker =>
        {
            var latencies = new List<double>();
            var errors = 0;
            while (clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                var ok = await run.RequestAsync(operation, worker);
                if (ok)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                else
                {
                    errors++;
                }
            }

            return (latencies, errors);
        }).ToList();
        var done = await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        var all = done.SelectMany(d => d.latencies).Order().ToArray();
        var errors = done.Sum(d => d.errors);
        var requests = Math.Max(1, all.Length + errors);
        return new Window(
            all.Length / elapsed.TotalSeconds,
            Percentile(all, 0.50),
            Percentile(all, 0.99),
            ProcStats.CpuMilliseconds(run.App.CpuTicks - appBefore) / requests,
            ProcStats.CpuMilliseconds(storage.CpuTicks - azuriteBefore) / requests,
            (double)(storage.TableCalls.Count - tablesBefore) / requests,
            (double)(storage.QueueCalls.Count - queuesBefore) / requests,
            (double)(storage.TableCalls.RateLimitCount - limitsBefore) / requests,
            errors);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static string LoginBody(string email) => JsonSerializer.Serialize(new Dictionary<string, string> { ["email"] = email, ["password"] = Password });

    internal static string SignupBody(string email) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["email"] = email, ["password"] = Password, ["passwordConfirmation"] = Password, ["name"] = "Load",
    });

    private sealed record Variant(string Name, string Folder, IReadOnlyDictionary<string, string> Environment, bool IsPeer = false);

    private sealed record Row(string Variant, int Clients, string Operation, Window Window);

    private sealed record Window(double PerSecond, double P50, double P99, double AppCpuPerRequest, double AzuriteCpuPerRequest, double TableCallsPerRequest, double QueueCallsPerRequest, double RateLimitCallsPerRequest, int Errors);

    /// <summary>One variant's process and the users and sessions its clients use.</summary>
    private sealed class Running(Variant variant, PublishedApp app)
    {
        private readonly string _run = Guid.NewGuid().ToString("N")[..8];
        private readonly List<string> _users = [];
        private string[] _refreshTokens = [];
        private string[] _accessTokens = [];
        private int _signups;

        public Variant Variant { get; } = variant;

        public PublishedApp App { get; } = app;

        public Dictionary<int, long> PeakKib { get; } = [];

        public async Task SeedAsync(int count)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancel) =>
            {
                var email = $"seed-{_run}-{i}@example.com";
                using var response = await App.Client.PostAsync(Variant.IsPeer ? "/register" : "/api/auth/signup", Json(Variant.IsPeer ? LoginBody(email) : SignupBody(email)), cancel);
                if (response.StatusCode != (Variant.IsPeer ? HttpStatusCode.OK : HttpStatusCode.Created))
                {
                    throw new InvalidOperationException($"Seeding a user failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancel)}");
                }
            });
            _users.AddRange(Enumerable.Range(0, count).Select(i => $"seed-{_run}-{i}@example.com"));
        }

        /// <summary>One signed-in session per client, for refresh and me.</summary>
        public async Task PrepareSessionsAsync(int clients)
        {
            _refreshTokens = new string[clients];
            _accessTokens = new string[clients];
            await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancel) =>
            {
                using var response = await App.Client.PostAsync(LoginPath, Json(LoginBody(_users[i % _users.Count])), cancel);
                var body = await response.Content.ReadAsStringAsync(cancel);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"Login failed: {(int)response.StatusCode} {body}");
                }

                (_refreshTokens[i], _accessTokens[i]) = Tokens(body);
            });
        }

        private string LoginPath => Variant.IsPeer ? "/login" : "/api/auth/login";

        /// <summary>The refresh and access token of a login or refresh answer (Identity names them in camel case).</summary>
        private (string Refresh, string Access) Tokens(string body)
        {
            using var json = JsonDocument.Parse(body);
            return Variant.IsPeer
                ? (json.RootElement.GetProperty("refreshToken").GetString()!, json.RootElement.GetProperty("accessToken").GetString()!)
                : (json.RootElement.GetProperty("refresh_token").GetString()!, json.RootElement.GetProperty("access_token").GetString()!);
        }

        public async Task<bool> RequestAsync(string operation, int worker)
        {
            switch (operation)
            {
                case "signup":
                {
                    var email = $"load-{_run}-{Interlocked.Increment(ref _signups)}@example.com";
                    using var response = await App.Client.PostAsync(Variant.IsPeer ? "/register" : "/api/auth/signup", Json(Variant.IsPeer ? LoginBody(email) : SignupBody(email)));
                    await response.Content.ReadAsByteArrayAsync();
                    return response.StatusCode == (Variant.IsPeer ? HttpStatusCode.OK : HttpStatusCode.Created);
                }

                case "login":
                {
                    using var response = await App.Client.PostAsync(LoginPath, Json(LoginBody(_users[worker % _users.Count])));
                    await response.Content.ReadAsByteArrayAsync();
                    return response.StatusCode == HttpStatusCode.OK;
                }

                case "refresh":
                {
                    using var response = await App.Client.PostAsync(Variant.IsPeer ? "/refresh" : "/api/auth/refresh",
                        Json((Variant.IsPeer ? "{\"refreshToken\":\"" : "{\"refresh_token\":\"") + _refreshTokens[worker] + "\"}"));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return false;
                    }

                    (_refreshTokens[worker], _accessTokens[worker]) = Tokens(body);
                    return true;
                }

                case "me":
                {
                    // The peer's nearest to `me`: Identity's account info of the bearer (a user read from SQLite).
                    using var request = new HttpRequestMessage(HttpMethod.Get, Variant.IsPeer ? "/manage/info" : "/api/auth/me");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _accessTokens[worker]);
                    using var response = await App.Client.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    return response.StatusCode == HttpStatusCode.OK;
                }

                default:
                    throw new ArgumentException("Unknown operation " + operation, nameof(operation));
            }
        }
    }
}

/// <summary>The command line of the load and gc modes.</summary>
internal sealed record LoadOptions(List<(string Name, string Folder)> Apps, int[] Clients, TimeSpan Duration, int Reps, string[] Operations)
{
    /// <summary>Identity peers (--peer NAME=DIR): build folders of bench/FuncAuth.IdentityPeer.</summary>
    public List<(string Name, string Folder)> Peers { get; } = [];

    /// <summary>The window of each operation before the measured ones, so no window pays a first call (or the peer's JIT).</summary>
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Environment variables per variant name (--env NAME:KEY=VALUE).</summary>
    public Dictionary<string, Dictionary<string, string>> Environments { get; } = [];

    public IReadOnlyDictionary<string, string> EnvironmentOf(string name) =>
        Environments.TryGetValue(name, out var environment) ? environment : new Dictionary<string, string>();

    public static LoadOptions Parse(string[] args, int[] clients, string[] operations)
    {
        var apps = new List<(string, string)>();
        var peers = new List<(string, string)>();
        var warmup = TimeSpan.FromMilliseconds(500);
        var environments = new List<(string Name, string Key, string Value)>();
        var duration = TimeSpan.FromSeconds(3);
        var reps = 3;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--app":
                    apps.Add(NamedFolder(value));
                    break;
                case "--peer":
                    peers.Add(NamedFolder(value));
                    break;
                case "--warmup":
                    warmup = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture));
                    break;
                case "--env":
                    var colon = value.IndexOf(':', StringComparison.Ordinal);
                    var assign = value.IndexOf('=', StringComparison.Ordinal);
                    if (colon <= 0 || assign <= colon + 1)
                    {
                        throw new ArgumentException("--env takes NAME:KEY=VALUE");
                    }

                    environments.Add((value[..colon], value[(colon + 1)..assign], value[(assign + 1)..]));
                    break;
                case "--clients":
                    clients = value.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--duration":
                    duration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture));
                    break;
                case "--reps":
                    reps = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--ops":
                    operations = value.Split(',');
                    break;
                default:
                    throw new ArgumentException("Unknown option " + args[i]);
            }

            i++;
        }

        var options = new LoadOptions(apps, clients, duration, reps, operations) { Warmup = warmup };
        options.Peers.AddRange(peers);
        foreach (var (name, key, value) in environments)
        {
            if (!options.Environments.TryGetValue(name, out var environment))
            {
                options.Environments[name] = environment = [];
            }

            environment[key] = value;
        }

        return options;
    }

    private static (string Name, string Folder) NamedFolder(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (value[..equals], Path.GetFullPath(value[(equals + 1)..])) : (Path.GetFileName(value.TrimEnd('/')), Path.GetFullPath(value));
    }
}
