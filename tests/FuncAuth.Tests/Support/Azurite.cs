using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FuncAuth.Tests.Support;

/// <summary>
/// One real Azurite table service and queue service (the repository's pinned npm package) for the whole test run, on
/// free loopback ports, in memory. Started by the first class that needs it and stopped when the test process exits. Tests isolate
/// themselves by their own tables (a table prefix per app), their own outbox queue or their own data (fresh emails).
/// </summary>
public sealed class AzuriteServer
{
    // Azurite's published development account; not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    // Generous: on a busy machine node takes a while to load Azurite.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly Lazy<Task<AzuriteServer>> Shared = new(StartAsync);

    private readonly Process _process;
    private readonly Process _queueProcess;

    private AzuriteServer(Process process, int port, Process queueProcess, int queuePort)
    {
        _process = process;
        Port = port;
        _queueProcess = queueProcess;
        QueuePort = queuePort;
    }

    public int Port { get; }

    public int QueuePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;";

    public static Task<AzuriteServer> GetAsync() => Shared.Value;

    private static async Task<AzuriteServer> StartAsync()
    {
        var script = RepoPaths.Combine("node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException("Azurite is not installed: run `npm ci` at the repository root (scripts/test.sh does).");
        }

        var ports = LoopbackPorts.FreePorts(2);
        var (port, queuePort) = (ports[0], ports[1]);
        var process = StartNode(script, "--tableHost", "127.0.0.1", "--tablePort", port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        var queueProcess = StartNode(
            RepoPaths.Combine("node_modules", "azurite", "dist", "src", "queue", "main.js"),
            "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        var server = new AzuriteServer(process, port, queueProcess, queuePort);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        try
        {
            await WaitForPortAsync(process, port);
            await WaitForPortAsync(queueProcess, queuePort);
        }
        catch
        {
            server.Stop();
            throw;
        }

        return server;
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

    private void Stop()
    {
        foreach (var process in new[] { _process, _queueProcess })
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    private static async Task WaitForPortAsync(Process process, int port)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
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

/// <summary>
/// The shared Azurite plus an app of this test class's own (its own tables), so independent test classes run in
/// parallel without seeing each other's rows, calls or logs. Use it as a class fixture.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;
    private FuncAuthApp? _app;

    public int Port => Server.Port;

    public string ConnectionString => Server.ConnectionString;

    /// <summary>An app with default settings for this class; tests that change settings start their own.</summary>
    public FuncAuthApp App => _app ?? throw new InvalidOperationException("Not initialised.");

    private AzuriteServer Server => _server ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        _server = await AzuriteServer.GetAsync();
        _app = await FuncAuthApp.StartAsync(this);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

}

/// <summary>
/// For test classes that must share one app (and so run one after another). Independent classes take
/// <see cref="AzuriteFixture"/> as a class fixture instead and run in parallel.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
