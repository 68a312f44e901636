using System.Net;
using System.Net.Sockets;

namespace FuncAuth.Tests.Support;

/// <summary>Free TCP ports on loopback, for the servers the tests, the benchmarks and the fault suite start.</summary>
public static class LoopbackPorts
{
    public static int FreePort() => FreePorts(1)[0];

    /// <summary>
    /// <paramref name="count"/> distinct free ports: each is held open until all are found, so the system cannot hand the
    /// same one out twice (as it may to calls made one after another).
    /// </summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
