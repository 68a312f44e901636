extern alias functions;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using FuncAuth.Tests.Support;

namespace FuncAuth.Benchmarks.ApiKeys;

/// <summary>
/// API-key benchmarks against the real app in-process and a real Azurite (the repository's npm package):
/// <c>timing</c> compares the answer times of refused keys (unknown, malformed, revoked, expired, wrong secret) with a
/// baseline measured in the same run; <c>load</c> runs 8 clients calling me with X-API-Key for 30 s and counts the
/// lastUsedAt writes per key. Run from the repository root:
/// <c>dotnet run -c Release --project bench/FuncAuth.Benchmarks -- api-keys timing</c> (or <c>load</c>).
/// </summary>
internal static class ApiKeyBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mode = args.FirstOrDefault() ?? "timing";
        // The app's content root, which the factory otherwise looks for beside a test project.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_FUNCAUTH_FUNCTIONS", Path.Combine(Directory.GetCurrentDirectory(), "src", "Functions"));
        await using var azurite = await Azurite.StartAsync();
        return mode switch
        {
            "timing" => await TimingAsync(azurite, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400),
            "load" => await LoadAsync(azurite, TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30)),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: api-keys timing [rounds] | api-keys load [seconds]");
        return 2;
    }

    private static async Task<int> TimingAsync(Azurite azurite, int rounds)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new App(azurite, time);
        var client = app.CreateClient();
        var access = await SignupAsync(client);
        var (live, _) = await CreateKeyAsync(client, access, 30);
        var (expired, _) = await CreateKeyAsync(client, access, 1);
        var (revoked, revokedId) = await CreateKeyAsync(client, access, 30);
        using (var request = new HttpRequestMessage(HttpMethod.Delete, "/api/auth/api-keys/" + revokedId))
        {
            request.Headers.Authorization = new("Bearer", access);
            (await client.SendAsync(request)).EnsureSuccessStatusCode();
        }

        time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        var liveId = live.Split('_')[1];
        var cases = new (string Name, string Key)[]
        {
            ("wrong secret (baseline)", "fa_" + liveId + "_" + new string('A', 43)),
            ("unknown key", "fa_" + liveId[..32] + "0123456789abcdef_" + live[^43..]),
            ("malformed key", "not-an-api-key"),
            ("revoked key", revoked),
            ("expired key", expired),
        };

        var samples = cases.Select(_ => new List<double>()).ToArray();
        var order = Enumerable.Range(0, cases.Length).ToArray();
        for (var round = -20; round < rounds; round++)
        {
            Random.Shared.Shuffle(order);
            foreach (var i in order)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await MeAsync(client, cases[i].Key);
                var body = await response.Content.ReadAsStringAsync();
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.Unauthorized || !body.Contains("invalid_api_key", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{cases[i].Name}: expected 401 invalid_api_key, got {(int)response.StatusCode}");
                }

                if (round >= 0)
                {
                    samples[i].Add(elapsed);
                }
            }
        }

        Console.WriteLine("GET /api/auth/me with X-API-Key, 401 invalid_api_key (ms, median of {0}, rounds interleaved in random order)", rounds);
        var baseline = Median(samples[0]);
        var worst = 1.0;
        for (var i = 0; i < cases.Length; i++)
        {
            var median = Median(samples[i]);
            var ratio = median / baseline;
            worst = Math.Abs(ratio - 1) > Math.Abs(worst - 1) ? ratio : worst;
            Console.WriteLine("  {0,-26} {1,8:N3}  x{2,5:N2}", cases[i].Name, median, ratio);
        }

        var pass = worst is >= 0.9 and <= 1.1;
        Console.WriteLine("{0}: every ratio within 0.9-1.1 (furthest x{1:N2})", pass ? "PASS" : "FAIL", worst);
        return pass ? 0 : 1;
    }

    private static async Task<int> LoadAsync(Azurite azurite, TimeSpan duration)
    {
        const int clients = 8;
        const int keyCount = 4;
        await using var app = new App(azurite, TimeProvider.System);
        var client = app.CreateClient();
        var access = await SignupAsync(client);
        var keys = new List<(string Key, string Id)>();
        for (var i = 0; i < keyCount; i++)
        {
            keys.Add(await CreateKeyAsync(client, access, 30));
        }

        app.Counter.Reset();
        var requests = 0;
        var failures = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var key = keys[c % keyCount].Key;
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                using var response = await MeAsync(client, key);
                Interlocked.Increment(ref response.StatusCode == HttpStatusCode.OK ? ref requests : ref failures);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        // Let writes started in the last moments land before counting.
        await Task.Delay(TimeSpan.FromSeconds(2));

        var writes = app.Counter.Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        var allowed = (int)Math.Ceiling(elapsed / TimeSpan.FromMinutes(1));
        Console.WriteLine("{0} clients, {1} keys, {2:N1} s: {3:N0} requests answered 200 ({4:N0}/s), {5} not 200", clients, keyCount, elapsed.TotalSeconds, requests, requests / elapsed.TotalSeconds, failures);
        var pass = failures == 0;
        foreach (var (_, id) in keys)
        {
            var count = writes.Count(w => w.Contains("RowKey='k:" + id + "'", StringComparison.Ordinal));
            pass &= count <= allowed;
            Console.WriteLine("  key {0}: {1} lastUsedAt write(s) (at most {2} allowed)", id, count, allowed);
        }

        Console.WriteLine("  storage calls in total: {0} ({1} writes)", app.Counter.Requests.Count, writes.Count);
        Console.WriteLine("{0}: at most one lastUsedAt write per key per minute", pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    private static Task<HttpResponseMessage> MeAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.TryAddWithoutValidation("X-API-Key", key);
        return client.SendAsync(request);
    }

    private static async Task<string> SignupAsync(HttpClient client)
    {
        const string password = "correct horse battery staple";
        using var response = await client.PostAsJsonAsync("/api/auth/signup", new { email = $"bench-{Guid.NewGuid():N}@example.com", password, passwordConfirmation = password });
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }

    private static async Task<(string Key, string Id)> CreateKeyAsync(HttpClient client, string accessToken, int days)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/api-keys") { Content = JsonContent.Create(new { name = "bench", expiresInDays = days }) };
        request.Headers.Authorization = new("Bearer", accessToken);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("key").GetString()!, body.GetProperty("id").GetString()!);
    }

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The app in-process on its own tables, with its Table Storage calls counted and its logs quiet.</summary>
    private sealed class App(Azurite azurite, TimeProvider time) : WebApplicationFactory<functions::Program>
    {
        public StorageCounter Counter { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Storage:ConnectionString", azurite.ConnectionString);
            builder.UseSetting("Storage:TablePrefix", "b" + Guid.NewGuid().ToString("N")[..10]);
            builder.UseSetting("Passwords:BreachCheck", "false");
            builder.ConfigureLogging(logging => logging.ClearProviders());
            builder.ConfigureTestServices(services =>
            {
                var options = new TableClientOptions();
                options.AddPolicy(Counter, HttpPipelinePosition.PerCall);
                services.AddSingleton(options);
                services.AddSingleton(time);
            });
        }
    }

    /// <summary>Counts Table Storage calls ("METHOD path").</summary>
    private sealed class StorageCounter : HttpPipelinePolicy
    {
        private readonly ConcurrentQueue<string> _requests = new();

        public IReadOnlyList<string> Requests => [.. _requests];

        public void Reset() => _requests.Clear();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message) => _requests.Enqueue($"{message.Request.Method} {Uri.UnescapeDataString(message.Request.Uri.Path)}");
    }
}

/// <summary>Azurite's table service (npm package of the repository) on a free loopback port, in memory.</summary>
internal sealed class Azurite : IAsyncDisposable
{
    // Azurite's published development account; not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly int _port;

    private Azurite(Process process, int port)
    {
        _process = process;
        _port = port;
    }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{_port}/devstoreaccount1;";

    public static async Task<Azurite> StartAsync()
    {
        var script = Path.Combine(Directory.GetCurrentDirectory(), "node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException("Run from the repository root after `npm ci` (Azurite is not installed).");
        }

        var port = LoopbackPorts.FreePort();
        var process = LocalProcesses.StartNode(
            script, "--tableHost", "127.0.0.1", "--tablePort", port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        await LocalProcesses.WaitForPortAsync(port, TimeSpan.FromSeconds(30), process);
        return new Azurite(process, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
