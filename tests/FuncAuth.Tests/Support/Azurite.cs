using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FuncAuth.Tests.Support;

/// <summary>
/// A real Azurite table service and queue service (the repository's pinned npm package) on free loopback ports, in
/// memory, for one test collection. Tests isolate themselves by their own data (fresh emails) or by a table prefix of their own.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    // Azurite's published development account; not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;
    private Process? _queueProcess;
    private FuncAuthApp? _app;

    public int Port { get; private set; }

    public int QueuePort { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;";

    /// <summary>An app with default settings shared by the collection; tests that change settings start their own.</summary>
    public FuncAuthApp App => _app ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        var script = RepoPaths.Combine("node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException("Azurite is not installed: run `npm ci` at the repository root (scripts/test.sh does).");
        }

        Port = FreePort();
        _process = StartNode(script, "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        QueuePort = FreePort();
        _queueProcess = StartNode(
            RepoPaths.Combine("node_modules", "azurite", "dist", "src", "queue", "main.js"),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        // Generous: on a loaded machine node alone can take tens of seconds to start.
        await WaitForPortAsync(_process, Port, TimeSpan.FromSeconds(120));
        await WaitForPortAsync(_queueProcess, QueuePort, TimeSpan.FromSeconds(120));
        _app = await FuncAuthApp.StartAsync(this);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        foreach (var process in new[] { _process, _queueProcess })
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process?.Dispose();
        }
    }

    private static Process StartNode(params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(Process process, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
