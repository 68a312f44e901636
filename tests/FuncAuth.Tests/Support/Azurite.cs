using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FuncAuth.Tests.Support;

/// <summary>
/// A real Azurite table service (the repository's pinned npm package) on a free loopback port, in memory, for one
/// test collection. Tests isolate themselves by their own data (fresh emails) or by a table prefix of their own.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    // Azurite's published development account; not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;
    private FuncAuthApp? _app;

    public int Port { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

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
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { script, "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Generous: on a busy build machine node takes tens of seconds to start; a healthy one answers in about one.
        await WaitForPortAsync(Port, TimeSpan.FromSeconds(120));
        _app = await FuncAuthApp.StartAsync(this);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitForPortAsync(int port, TimeSpan timeout)
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
            catch (SocketException) when (DateTime.UtcNow < deadline && _process is { HasExited: false })
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
