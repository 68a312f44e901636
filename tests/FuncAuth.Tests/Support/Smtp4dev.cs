using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncAuth.Tests.Support;

/// <summary>
/// A real smtp4dev (the .NET tool pinned in .config/dotnet-tools.json) on free loopback ports with an in-memory
/// database; tests read what it received through its HTTP API.
/// </summary>
public sealed partial class Smtp4dev : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _dataDir;
    private Process? _process;

    private Smtp4dev(int smtpPort, int webPort)
    {
        SmtpPort = smtpPort;
        WebPort = webPort;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}"), Timeout = TimeSpan.FromSeconds(10) };
        _dataDir = Path.Combine(Path.GetTempPath(), "smtp4dev-" + Guid.NewGuid().ToString("N"));
    }

    public int SmtpPort { get; }

    public int WebPort { get; }

    /// <summary>Starts smtp4dev; <paramref name="smtpPort"/> fixes the SMTP port (to bring a server back where one was down).</summary>
    public static async Task<Smtp4dev> StartAsync(int? smtpPort = null)
    {
        var ports = LoopbackPorts.FreePorts(2);
        var server = new Smtp4dev(smtpPort ?? ports[0], smtpPort == ports[1] ? ports[0] : ports[1]);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>The app settings that send to this server.</summary>
    public Dictionary<string, string?> AppSettings() => new()
    {
        ["Email:SmtpHost"] = "127.0.0.1",
        ["Email:SmtpPort"] = SmtpPort.ToString(),
        ["Email:SmtpSecurity"] = "None",
        ["Email:From"] = "FuncAuth <no-reply@funcauth.test>",
        ["Email:LinkBaseUrl"] = "https://app.example.com",
        ["Email:QueueName"] = "q" + Guid.NewGuid().ToString("N")[..20],
        ["Email:PollInterval"] = "00:00:00.200",
        ["Email:RetryDelay"] = "00:00:01",
    };

    /// <summary>Messages to the address, waiting until at least <paramref name="count"/> have arrived.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForMailAsync(string to, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var mails = await MailToAsync(to);
            if (mails.Count >= count)
            {
                return mails;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} mail(s) to the address, got {mails.Count}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every message received so far for the address (oldest first), with its text and HTML bodies.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> MailToAsync(string to)
    {
        using var list = JsonDocument.Parse(await _http.GetStringAsync("/api/messages?pageSize=5000"));
        var mails = new List<ReceivedMail>();
        foreach (var summary in list.RootElement.GetProperty("results").EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), to, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(m => m.GetProperty("receivedDate").GetDateTimeOffset()))
        {
            var id = summary.GetProperty("id").GetString()!;
            var text = await _http.GetStringAsync($"/api/messages/{id}/plaintext");
            var html = await _http.GetStringAsync($"/api/messages/{id}/html");
            var from = summary.GetProperty("from").GetString() ?? "";
            mails.Add(new ReceivedMail(id, summary.GetProperty("subject").GetString() ?? "", from, text, html));
        }

        return mails;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        Directory.CreateDirectory(_dataDir);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            "tool", "run", "smtp4dev", "--",
            $"--urls=http://127.0.0.1:{WebPort}", $"--smtpport={SmtpPort}", "--bindaddress=127.0.0.1", "--imapport=", "--pop3port=",
            "--db=", "--nousersettings", $"--baseappdatapath={_dataDir}", "--messagestokeep=5000", "--tlsmode=None",
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(240);
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync("/api/messages?pageSize=1");
                if (response.StatusCode == HttpStatusCode.OK && await SmtpAnswersAsync())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or still starting up on a busy machine.
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException("smtp4dev did not start: run `dotnet tool restore` at the repository root (scripts/test.sh does).");
            }

            await Task.Delay(200);
        }
    }

    private async Task<bool> SmtpAnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, SmtpPort);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>One message as smtp4dev received it.</summary>
public sealed partial record ReceivedMail(string Id, string Subject, string From, string Text, string Html)
{
    /// <summary>The token of the link to <c>{LinkBaseUrl}/{path}?token=...</c> in the plain-text body.</summary>
    public string TokenOf(string path)
    {
        var match = Regex.Match(Text, "https://app\\.example\\.com/" + Regex.Escape(path) + "\\?token=([A-Za-z0-9_.%-]+)");
        Assert.True(match.Success, $"No {path} link in the mail: {Text}");
        return Uri.UnescapeDataString(match.Groups[1].Value);
    }
}

/// <summary>Azurite (tables and queue) and smtp4dev, shared by the email tests.</summary>
public sealed class EmailFixture : IAsyncLifetime
{
    public AzuriteFixture Azurite { get; } = new();

    public Smtp4dev Smtp { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Azurite.InitializeAsync(), StartSmtpAsync());
    }

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
    }

    /// <summary>An app that sends through this smtp4dev, with <paramref name="settings"/> on top.</summary>
    public Task<FuncAuthApp> StartAppAsync(IReadOnlyDictionary<string, string?>? settings = null, Microsoft.Extensions.Time.Testing.FakeTimeProvider? time = null)
    {
        var all = Smtp.AppSettings();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return FuncAuthApp.StartAsync(Azurite, all, time);
    }

    private async Task StartSmtpAsync() => Smtp = await Smtp4dev.StartAsync();
}

[CollectionDefinition(Name)]
public sealed class EmailCollection : ICollectionFixture<EmailFixture>
{
    public const string Name = "Email";
}
