using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FuncAuth.Tests.Support;

/// <summary>
/// One real Azurite table service (the repository's pinned npm package) for the whole test run, on a free loopback
/// port, in memory. Started by the first class that needs it and stopped when the test process exits. Tests isolate
/// themselves by their own tables (a table prefix per app) or their own data (fresh emails).
/// </summary>
public sealed class AzuriteServer
{
    // Azurite's published development account; not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    // Generous: on a busy machine node takes a while to load Azurite.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly Lazy<Task<AzuriteServer>> Shared = new(StartAsync);

    private readonly Process _process;

    private AzuriteServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public static Task<AzuriteServer> GetAsync() => Shared.Value;

    private static async Task<AzuriteServer> StartAsync()
    {
        var script = RepoPaths.Combine("node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException("Azurite is not installed: run `npm ci` at the repository root (scripts/test.sh does).");
        }

        var port = AzuriteFixture.FreePort();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { script, "--tableHost", "127.0.0.1", "--tablePort", port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AzuriteServer(process, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        try
        {
            await server.WaitForPortAsync();
        }
        catch
        {
            server.Stop();
            throw;
        }

        return server;
    }

    private void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task WaitForPortAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
