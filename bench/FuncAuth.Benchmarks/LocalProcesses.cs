using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FuncAuth.Benchmarks;

/// <summary>What the benchmarks need to run Azurite beside them: a node process, a free loopback port, a wait for it.</summary>
internal static class LocalProcesses
{
    /// <summary>Starts <c>node</c> with <paramref name="args"/>, its output drained so it never blocks on a full pipe.</summary>
    public static Process StartNode(params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until something listens on <paramref name="port"/>; gives up after <paramref name="timeout"/> or when <paramref name="process"/> exits.</summary>
    public static async Task WaitForPortAsync(int port, TimeSpan timeout, Process? process = null)
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
            catch (SocketException) when (DateTime.UtcNow < deadline && process is not { HasExited: true })
            {
                await Task.Delay(100);
            }
        }
    }
}
