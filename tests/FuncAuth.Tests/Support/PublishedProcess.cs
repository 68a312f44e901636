using System.Diagnostics;
using System.Net;
using FuncAuth.Tests.Http;

namespace FuncAuth.Tests.Support;

/// <summary>
/// The published executable running as the Functions host runs it (its port in <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>),
/// against the fixture's Azurite with tables of its own, healthy before it is handed out.
/// </summary>
public sealed class PublishedProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PublishedProcess(Process process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public HttpClient Client { get; }

    /// <summary>Every line the executable wrote, in order; standard error's lines start with "stderr: ".</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>How long it took from the process start until health answered 200.</summary>
    public TimeSpan StartedIn { get; private set; }

    public static async Task<PublishedProcess> StartAsync(PublishedAppFixture published, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = LoopbackPorts.FreePort();
        var start = new ProcessStartInfo(published.Executable) { WorkingDirectory = published.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Storage__ConnectionString"] = published.Azurite.ConnectionString;
        start.Environment["Storage__TablePrefix"] = "p" + Guid.NewGuid().ToString("N")[..10];
        // No internet from the tests; the breached-password test of the executable points it at a RangeServer.
        start.Environment["Passwords__BreachCheck"] = "false";
        // The tests' client is the connection's loopback peer: named a trusted proxy it counts as a client address (as in
        // the fault suite and the load benchmark), so the per-address limits apply and no "unknown address" warning is due.
        start.Environment["Network__TrustedProxies"] = "127.0.0.1,::1";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        var running = new PublishedProcess(process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) running.Lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) running.Lines.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await running.WaitForHealthyAsync(TimeSpan.FromSeconds(30));
        running.StartedIn = clock.Elapsed;
        return running;
    }

    private async Task WaitForHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var health = await Client.GetAsync("/api/health");
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "The published app did not become healthy in time.");
            await Task.Delay(100);
        }
    }

    /// <summary>Stops the executable as the host does (SIGTERM), so the console logger flushes every line first.</summary>
    public async Task StopGracefullyAsync()
    {
        using (var stop = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await stop.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(cancel.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
