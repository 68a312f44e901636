using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using FuncAuth.Tests.Support;

namespace FuncAuth.Benchmarks.Load;

/// <summary>
/// Azurite (tables and queues, in memory) behind two counting proxies, so every storage call the app makes is seen
/// once on its way through, and Azurite's own CPU can be read apart from the app's.
/// </summary>
internal sealed class LoadStorage : IAsyncDisposable
{
    // Azurite's published development account; not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _tables;
    private readonly Process _queues;

    private LoadStorage(Process tables, Process queues, CountingProxy tableProxy, CountingProxy queueProxy)
    {
        _tables = tables;
        _queues = queues;
        TableCalls = tableProxy;
        QueueCalls = queueProxy;
    }

    public CountingProxy TableCalls { get; }

    public CountingProxy QueueCalls { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"TableEndpoint=http://127.0.0.1:{TableCalls.Port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueueCalls.Port}/devstoreaccount1;";

    /// <summary>CPU ticks of both Azurite processes so far.</summary>
    public long CpuTicks => ProcStats.CpuTicks(_tables.Id) + ProcStats.CpuTicks(_queues.Id);

    public long Calls => TableCalls.Count + QueueCalls.Count;

    /// <summary>
    /// Creates the app's tables for <paramref name="prefix"/> from this process, as the infra does in Azure, so a run
    /// does not depend on the app creating them at start and a cold start never pays for it.
    /// </summary>
    public async Task CreateTablesAsync(string prefix)
    {
        var tables = new FuncAuth.Core.Storage.AuthTables(new Azure.Data.Tables.TableServiceClient(ConnectionString),
            Microsoft.Extensions.Options.Options.Create(new FuncAuth.Core.Options.StorageOptions { TablePrefix = prefix }));
        await tables.EnsureCreatedAsync(CancellationToken.None);
    }

    public static async Task<LoadStorage> StartAsync()
    {
        var root = RepoRoot();
        var azurite = Path.Combine(root, "node_modules", "azurite", "dist", "src");
        if (!File.Exists(Path.Combine(azurite, "table", "main.js")))
        {
            throw new InvalidOperationException("Azurite is not installed: run `npm ci` at the repository root (bench/load.sh does).");
        }

        var ports = LoopbackPorts.FreePorts(2);
        var (tablePort, queuePort) = (ports[0], ports[1]);
        var tables = LocalProcesses.StartNode(Path.Combine(azurite, "table", "main.js"), "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture),
            "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        var queues = LocalProcesses.StartNode(Path.Combine(azurite, "queue", "main.js"), "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(CultureInfo.InvariantCulture),
            "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        await LocalProcesses.WaitForPortAsync(tablePort, TimeSpan.FromSeconds(30), tables);
        await LocalProcesses.WaitForPortAsync(queuePort, TimeSpan.FromSeconds(30), queues);
        return new LoadStorage(tables, queues, CountingProxy.Start(tablePort), CountingProxy.Start(queuePort));
    }

    public static string RepoRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "FuncAuth.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }

    public async ValueTask DisposeAsync()
    {
        TableCalls.Dispose();
        QueueCalls.Dispose();
        foreach (var process in new[] { _tables, _queues })
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}

/// <summary>
/// A loopback TCP proxy that reads each HTTP/1.1 request head on its way to Azurite and counts it; the bytes pass
/// unchanged both ways. Requests are framed by Content-Length or chunked encoding, which is all the Azure SDK sends.
/// </summary>
internal sealed class CountingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstream;
    private readonly CancellationTokenSource _stop = new();
    private long _count;
    private long _rateLimitCount;

    private CountingProxy(int upstream) => _upstream = upstream;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>The requests to the rate limiter's table (its name ends in RateLimits), part of <see cref="Count"/>.</summary>
    public long RateLimitCount => Interlocked.Read(ref _rateLimitCount);

    public static CountingProxy Start(int upstream)
    {
        var proxy = new CountingProxy(upstream);
        proxy._listener.Start(512);
        _ = proxy.AcceptAsync();
        return proxy;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(IPAddress.Loopback, _upstream);
                var fromClient = client.GetStream();
                var toUpstream = upstream.GetStream();
                var responses = toUpstream.CopyToAsync(fromClient);
                var requests = ForwardRequestsAsync(new FramedReader(fromClient), toUpstream);
                await Task.WhenAny(responses, requests);
            }
            catch (IOException)
            {
            }
            catch (SocketException)
            {
            }
        }
    }

    private async Task ForwardRequestsAsync(FramedReader reader, Stream upstream)
    {
        while (true)
        {
            long contentLength = 0;
            var chunked = false;
            var first = true;
            var rateLimit = false;
            while (true)
            {
                var line = await reader.ReadLineAsync();
                if (line is null)
                {
                    return;
                }

                await upstream.WriteAsync(line);
                var text = Encoding.ASCII.GetString(line).TrimEnd('\r', '\n');
                if (first)
                {
                    first = false;
                    rateLimit = text.Contains("RateLimits", StringComparison.Ordinal);
                    continue;
                }

                if (text.Length == 0)
                {
                    break;
                }

                var colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var name = text[..colon].Trim();
                    var value = text[(colon + 1)..].Trim();
                    if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        contentLength = long.Parse(value, CultureInfo.InvariantCulture);
                    }
                    else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                    {
                        chunked = true;
                    }
                }
            }

            Interlocked.Increment(ref _count);
            if (rateLimit)
            {
                Interlocked.Increment(ref _rateLimitCount);
            }
            if (chunked)
            {
                while (true)
                {
                    var sizeLine = await reader.ReadLineAsync() ?? throw new IOException("Chunked body cut short.");
                    await upstream.WriteAsync(sizeLine);
                    var size = Convert.ToInt64(Encoding.ASCII.GetString(sizeLine).Split(';')[0].Trim(), 16);
                    if (size == 0)
                    {
                        // Trailers, then the empty line.
                        while (true)
                        {
                            var trailer = await reader.ReadLineAsync() ?? throw new IOException("Chunked body cut short.");
                            await upstream.WriteAsync(trailer);
                            if (trailer.Length <= 2)
                            {
                                break;
                            }
                        }

                        break;
                    }

                    await reader.CopyAsync(size + 2, upstream);
                }
            }
            else
            {
                await reader.CopyAsync(contentLength, upstream);
            }

            await upstream.FlushAsync();
        }
    }

    /// <summary>Reads lines and exact byte counts from a stream through one buffer.</summary>
    private sealed class FramedReader(Stream source)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<byte[]?> ReadLineAsync()
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync())
                {
                    return line.Count == 0 ? null : throw new IOException("Connection closed inside a line.");
                }

                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    line.AddRange(new ArraySegment<byte>(_buffer, _start, newline + 1 - _start));
                    _start = newline + 1;
                    return [.. line];
                }

                line.AddRange(new ArraySegment<byte>(_buffer, _start, _end - _start));
                _start = _end;
            }
        }

        public async Task CopyAsync(long count, Stream target)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync())
                {
                    throw new IOException("Connection closed inside a body.");
                }

                var take = (int)Math.Min(count, _end - _start);
                await target.WriteAsync(_buffer.AsMemory(_start, take));
                _start += take;
                count -= take;
            }
        }

        private async Task<bool> FillAsync()
        {
            _start = 0;
            _end = await source.ReadAsync(_buffer);
            return _end > 0;
        }
    }
}

/// <summary>CPU time and peak memory of a process, from /proc.</summary>
internal static class ProcStats
{
    /// <summary>Clock ticks per second of utime/stime (USER_HZ): 100 on every Linux this runs on.</summary>
    public const double TicksPerSecond = 100;

    /// <summary>utime + stime of <paramref name="pid"/> in clock ticks (fields 14 and 15 of /proc/pid/stat).</summary>
    public static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing bracket start at field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    public static double CpuMilliseconds(long ticks) => ticks * 1000 / TicksPerSecond;

    /// <summary>A line of /proc/pid/status in KiB: VmHWM is the peak resident set, VmRSS the current one.</summary>
    public static long StatusKib(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Resets VmHWM to the current RSS (writing 5 to clear_refs), so a later read is the peak since now.</summary>
    public static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[..3] is var parts ? string.Join(' ', parts) : "";
}

/// <summary>The published app started the way the Functions host starts a custom handler, on a free loopback port.</summary>
internal sealed class PublishedApp : IAsyncDisposable
{
    private PublishedApp(Process process, int port, string healthPath = "/api/health")
    {
        Process = process;
        Port = port;
        HealthPath = healthPath;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Process Process { get; }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary>The route that answers 200 once the process is ready.</summary>
    public string HealthPath { get; }

    public long CpuTicks => ProcStats.CpuTicks(Process.Id);

    /// <summary>A development signing key, as scripts/run-local.sh makes one: P-256, PKCS#8 PEM.</summary>
    public static string NewSigningKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Starts the executable; returns once the process exists (not once it answers).</summary>
    public static PublishedApp Start(string publishFolder, string connectionString, string signingKey, string tablePrefix, IReadOnlyDictionary<string, string>? extra = null)
    {
        var executable = Path.Combine(publishFolder, "FuncAuth.Functions");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"No published app at {executable}: publish src/Functions first (bench/load.sh does).");
        }

        var port = LoopbackPorts.FreePort();
        var start = NewStartInfo(executable, publishFolder);

        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Storage__ConnectionString"] = connectionString;
        start.Environment["Storage__TablePrefix"] = tablePrefix;
        start.Environment["Auth__SigningKey"] = signingKey;
        // Load from one address must not be throttled: the limits are raised (not switched off, so their storage
        // calls still count), and the hashing queue holds every client.
        start.Environment["RateLimit__TokenRequestsPerAddress__Limit"] = "1000000000";
        start.Environment["RateLimit__EmailRequestsPerAddress__Limit"] = "1000000000";
        // Loopback counted as a client (named a trusted proxy), so the per-address limits' storage calls are measured too.
        start.Environment["Network__TrustedProxies"] = "127.0.0.1,::1";
        start.Environment["Auth__MaxQueuedHashes"] = "1000";
        // No internet, and no network time in the figures.
        start.Environment["Passwords__BreachCheck"] = "false";
        // A request waiting its turn for a hash at 32 clients is measured as latency, not cut off at the 2 s deadline.
        start.Environment["Storage__RequestDeadline"] = "00:01:00";
        var process = Launch(start, extra);
        return new PublishedApp(process, port);
    }

    /// <summary>
    /// Starts the ASP.NET Core Identity peer (the build output of bench/FuncAuth.IdentityPeer) on the JIT, with a SQLite
    /// database of its own in a fresh temporary folder, under the same environment rules as the app: no inherited GC knobs.
    /// </summary>
    public static PublishedApp StartPeer(string buildFolder, IReadOnlyDictionary<string, string>? extra = null)
    {
        var assembly = Path.Combine(buildFolder, "FuncAuth.IdentityPeer.dll");
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"No peer at {assembly}: build bench/FuncAuth.IdentityPeer -c Release first (bench/load.sh does).");
        }

        var port = LoopbackPorts.FreePort();
        var data = Directory.CreateTempSubdirectory("identity-peer-");
        var start = NewStartInfo("dotnet", buildFolder);
        start.ArgumentList.Add(assembly);

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["PEER_URL"] = $"http://127.0.0.1:{port}";
        start.Environment["PEER_DATABASE"] = Path.Combine(data.FullName, "peer.db");
        var process = Launch(start, extra);
        process.Exited += (_, _) =>
        {
            try
            {
                data.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        };
        process.EnableRaisingEvents = true;
        return new PublishedApp(process, port, "/health");
    }

    /// <summary>Only the settings of the run: no GC knobs inherited from the shell that started the benchmark.</summary>
    private static ProcessStartInfo NewStartInfo(string file, string folder)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        return start;
    }

    /// <summary>Starts the process with the variant's own settings last, its output drained so it never blocks on a full pipe.</summary>
    private static Process Launch(ProcessStartInfo start, IReadOnlyDictionary<string, string>? extra)
    {
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException(start.FileName + " did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Polls /api/health until it answers 200; fails after <paramref name="timeout"/> or if the process exits.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, TimeSpan poll)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await Client.GetAsync(HealthPath);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (Process.HasExited || deadline.Elapsed > timeout)
            {
                throw new InvalidOperationException($"The app did not answer 200 on /api/health (exited: {Process.HasExited}).");
            }

            await Task.Delay(poll);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }
}
