using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FuncAuth.Tests.Support;

namespace FuncAuth.FaultSuite;

/// <summary>
/// Azurite's table and queue services (and its blob service, which nothing uses) as one separate process on loopback
/// ports, persisting to its own data folder so it can be paused (SIGSTOP/SIGCONT), killed and started again on the same
/// data. One process, so a storage fault hits the tables and the email outbox together, as an outage of the storage
/// account would.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's published development account; not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _script;
    private Process? _process;
    private bool _paused;

    private AzuriteProcess(string script, string dataFolder, int[] ports)
    {
        _script = script;
        DataFolder = dataFolder;
        (Port, QueuePort, BlobPort) = (ports[0], ports[1], ports[2]);
    }

    /// <summary>The table service's port.</summary>
    public int Port { get; }

    public int QueuePort { get; }

    private int BlobPort { get; }

    public string DataFolder { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;";

    public static async Task<AzuriteProcess> StartAsync(string dataFolder)
    {
        var script = Path.Combine(RepoRoot.Path, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException("Azurite is not installed: run `npm ci` at the repository root.");
        }

        Directory.CreateDirectory(dataFolder);
        var azurite = new AzuriteProcess(script, dataFolder, LoopbackPorts.FreePorts(3));
        await azurite.LaunchAsync();
        return azurite;
    }

    /// <summary>Freezes the process: connections are accepted by the kernel and requests queue up unanswered, as with a hung server.</summary>
    public async Task PauseAsync()
    {
        await SignalAsync("STOP");
        _paused = true;
    }

    public async Task ResumeAsync()
    {
        await SignalAsync("CONT");
        _paused = false;
    }

    /// <summary>
    /// Stops the process. <paramref name="hard"/>: SIGKILL, which also loses Azurite's last few seconds of acknowledged
    /// writes (it saves its database file every 5 s), a loss Azure Storage never has. Otherwise SIGINT: Azurite stops
    /// serving at once, saves and exits (SIGKILL after 5 s if it has not).
    /// </summary>
    public async Task KillAsync(bool hard)
    {
        var process = _process ?? throw new InvalidOperationException("Not running.");
        if (!hard)
        {
            await SignalAsync("INT");
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>Starts Azurite again on the same port and data folder; returns once it accepts connections.</summary>
    public Task RestartAsync() => LaunchAsync();

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            if (_paused)
            {
                await SignalAsync("CONT");
            }

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            _script, "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(), "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(), "--location", DataFolder, "--disableTelemetry", "--skipApiVersionCheck", "--silent",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            try
            {
                foreach (var port in new[] { Port, QueuePort })
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                }

                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"Azurite did not start (exited: {_process.HasExited}): " + string.Join(" | ", output), e);
            }
        }
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
            while (output.Count > 20 && output.TryDequeue(out _))
            {
            }
        }
    }

    private async Task SignalAsync(string signal)
    {
        var process = _process ?? throw new InvalidOperationException("Not running.");
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, process.Id.ToString()]))!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {process.Id} failed.");
        }
    }
}

internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "FuncAuth.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository (FuncAuth.sln not found above " + AppContext.BaseDirectory + ").");
    }
}
