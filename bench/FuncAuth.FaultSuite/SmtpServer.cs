using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FuncAuth.Tests.Support;

namespace FuncAuth.FaultSuite;

/// <summary>One message as the SMTP server received it: its first recipient and its subject.</summary>
public sealed record DeliveredMail(string To, string Subject);

/// <summary>
/// smtp4dev (the .NET tool pinned in .config/dotnet-tools.json) as a separate process on loopback ports. Its messages
/// live in a database file in its own folder, so the server can be stopped (the process killed: connections refused,
/// as with a mail relay that is down) and started again on the same ports without forgetting what it received. What
/// it received is read through its HTTP API.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly string _folder;
    private readonly HttpClient _http;
    private Process? _process;

    private SmtpServer(string folder)
    {
        _folder = folder;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int SmtpPort { get; } = LoopbackPorts.FreePort();

    public int WebPort { get; } = LoopbackPorts.FreePort();

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<SmtpServer> StartAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        var server = new SmtpServer(folder);
        await server.StartAsync();
        return server;
    }

    /// <summary>
    /// Starts the server (again) on the same ports and database; returns once SMTP accepts connections, which is what
    /// ends the outage for the app. The API may come up a moment later: <see cref="ReceivedAsync"/> waits for it.
    /// </summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoRoot.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "tool", "run", "smtp4dev", "--",
            $"--urls=http://127.0.0.1:{WebPort}", $"--smtpport={SmtpPort}", "--bindaddress=127.0.0.1", "--imapport=", "--pop3port=",
            $"--db={Path.Combine(_folder, "smtp4dev.db")}", "--nousersettings", $"--baseappdatapath={_folder}", "--messagestokeep=100000", "--tlsmode=None",
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, SmtpPort);
                return;
            }
            catch (SocketException)
            {
                // Still starting.
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException("smtp4dev did not start: run `dotnet tool restore` at the repository root.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills the server: from now on SMTP connections are refused.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Every message received so far (across restarts).</summary>
    public async Task<IReadOnlyList<DeliveredMail>> ReceivedAsync(CancellationToken cancellationToken = default)
    {
        using var list = JsonDocument.Parse(await MessagesAsync(cancellationToken));
        return list.RootElement.GetProperty("results").EnumerateArray()
            .Select(m => new DeliveredMail(
                m.GetProperty("to").EnumerateArray().Select(t => t.GetString() ?? "").FirstOrDefault() ?? "",
                m.GetProperty("subject").GetString() ?? ""))
            .ToList();
    }

    /// <summary>The plain-text body of the newest message to the address, waiting (bounded) until one with the subject arrives.</summary>
    public async Task<string> WaitForTextAsync(string to, string subject, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using (var list = JsonDocument.Parse(await MessagesAsync(CancellationToken.None)))
            {
                var id = list.RootElement.GetProperty("results").EnumerateArray()
                    .Where(m => m.GetProperty("subject").GetString() == subject
                        && m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), to, StringComparison.OrdinalIgnoreCase)))
                    .OrderByDescending(m => m.GetProperty("receivedDate").GetDateTimeOffset())
                    .Select(m => m.GetProperty("id").GetString())
                    .FirstOrDefault();
                if (id is not null)
                {
                    return await _http.GetStringAsync($"/api/messages/{id}/plaintext");
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No \"{subject}\" email arrived within {timeout.TotalSeconds:N0} s.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The message list from the API, waiting (up to a minute) while the server is still starting.</summary>
    private async Task<string> MessagesAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await _http.GetStringAsync("/api/messages?pageSize=100000", cancellationToken);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && IsRunning)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
    }
}
