using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Core;
using Azure.Data.Tables;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace FuncAuth.Tests.Browser;

/// <summary>
/// What a browser needs to run the demo SPA for real: Azurite, the app on a loopback port with Kestrel (CORS allows the
/// SPA's origin only), the SPA's own static server (samples/spa/serve.mjs), a second copy of it on an origin that is not
/// allowed, smtp4dev receiving the app's emails (their links open the SPA), and headless Chromium (the system package,
/// never a browser Playwright downloads).
/// </summary>
public sealed class SpaFixture : IAsyncLifetime
{
    /// <summary>Short enough that a test sees a token expire; the client refreshes a quarter of it ahead.</summary>
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromSeconds(8);

    private AzuriteFixture _azurite = new();
    private readonly List<Process> _servers = [];
    private KestrelApp? _app;
    private IPlaywright? _playwright;

    public string ApiUrl { get; private set; } = "";

    public string SpaUrl { get; private set; } = "";

    /// <summary>
    /// The SPA under the name <c>localhost</c> (same server as <see cref="SpaUrl"/>): WebAuthn needs a domain for its RP
    /// id, never an IP address, so the passkey tests run here (RP id <c>localhost</c>).
    /// </summary>
    public string PasskeySpaUrl { get; private set; } = "";

    /// <summary>The sample client of the code flow (samples/oauth-client) on its own origin, registered as <see cref="SampleClientId"/>.</summary>
    public string SampleClientUrl { get; private set; } = "";

    public const string SampleClientId = "notes-sample";

    /// <summary>samples/OidcWebApp on its own origin: ASP.NET Core's OpenID Connect handler, registered as <see cref="OidcClientId"/>.</summary>
    public string OidcAppUrl { get; private set; } = "";

    public const string OidcClientId = "oidc-web-app";

    private OidcWebAppHost? _oidcApp;

    /// <summary>The same SPA served from an origin that is not in <c>Cors__AllowedOrigins</c>.</summary>
    public string OtherOriginUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The SMTP server the app sends through; tests read the mail, and its links, over its HTTP API.</summary>
    public Smtp4dev Smtp { get; private set; } = null!;

    public RefreshCounter Refreshes { get; } = new();

    /// <summary>A password the range server reports as breached.</summary>
    public const string BreachedPassword = "monkey-business-1987";

    public RangeServer Range { get; private set; } = null!;

    public static string ScreenshotFolder { get; } = RepoPaths.Combine("artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        var smtp = Smtp4dev.StartAsync();
        // A free port can be taken by another process between choosing it and Azurite binding it; choose again then.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _azurite.InitializeAsync();
                break;
            }
            catch (SocketException) when (attempt < 3)
            {
                await _azurite.DisposeAsync();
                _azurite = new();
            }
        }

        var apiPort = LoopbackPorts.FreePort();
        ApiUrl = $"http://127.0.0.1:{apiPort}";
        var spaPort = LoopbackPorts.FreePort();
        SpaUrl = $"http://127.0.0.1:{spaPort}";
        PasskeySpaUrl = $"http://localhost:{spaPort}";
        var otherPort = LoopbackPorts.FreePort();
        OtherOriginUrl = $"http://127.0.0.1:{otherPort}";
        var samplePort = LoopbackPorts.FreePort();
        SampleClientUrl = $"http://127.0.0.1:{samplePort}";
        var oidcPort = LoopbackPorts.FreePort();
        OidcAppUrl = $"http://127.0.0.1:{oidcPort}";

        Smtp = await smtp;
        var settings = Smtp.AppSettings();
        settings["Email:LinkBaseUrl"] = SpaUrl;
        settings["Storage:ConnectionString"] = _azurite.ConnectionString;
        settings["Storage:TablePrefix"] = "b" + Guid.NewGuid().ToString("N")[..10];
        // The SPA first: its /authorize is the code flow's sign-in page. The sample client calls the token endpoint and me.
        settings["Cors:AllowedOrigins"] = SpaUrl + "," + PasskeySpaUrl + "," + SampleClientUrl;
        settings["Auth:WebAuthn:RpId"] = "localhost";
        settings["Auth:WebAuthn:Origins"] = PasskeySpaUrl;
        settings["Auth:Issuer"] = ApiUrl;
        // The browser tests check behaviour, not the deadline: on a busy machine a sign-in's hash alone can take over 2 s.
        settings["Storage:RequestDeadline"] = "00:00:30";
        settings["OAuth:Clients:0:ClientId"] = SampleClientId;
        settings["OAuth:Clients:0:Name"] = "Notes (sample app)";
        settings["OAuth:Clients:0:RedirectUris"] = SampleClientUrl + "/";
        settings["OAuth:Clients:1:ClientId"] = OidcClientId;
        settings["OAuth:Clients:1:Name"] = "OIDC web app (sample)";
        settings["OAuth:Clients:1:RedirectUris"] = OidcAppUrl + "/signin-oidc";
        settings["Auth:AccessTokenLifetime"] = AccessTokenLifetime.ToString();
        // No internet from the tests: the breached-password check asks a local range server.
        Range = await RangeServer.StartAsync();
        Range.Add(BreachedPassword);
        settings["Passwords:BreachCheck"] = "true";
        settings["Passwords:BreachApiBaseUrl"] = Range.BaseUrl.ToString();
        _app = new KestrelApp(apiPort, Refreshes, settings);
        _app.StartServer();

        StartSpaServer(spaPort);
        StartSpaServer(otherPort);
        StartNodeServer(RepoPaths.Combine("samples", "oauth-client", "serve.mjs"), "--port", samplePort.ToString(), "--api", ApiUrl, "--client", SampleClientId);
        await WaitUntilHealthyAsync(TimeSpan.FromSeconds(30));
        await WaitForPortAsync(spaPort, TimeSpan.FromSeconds(15));
        await WaitForPortAsync(otherPort, TimeSpan.FromSeconds(15));
        await WaitForPortAsync(samplePort, TimeSpan.FromSeconds(15));
        _oidcApp = new OidcWebAppHost(oidcPort, ApiUrl, OidcClientId);
        _oidcApp.StartServer();

        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = FindChromium(), Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        foreach (var server in _servers)
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }

            server.Dispose();
        }

        if (_oidcApp is not null)
        {
            await _oidcApp.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await _azurite.DisposeAsync();
        if (Range is not null)
        {
            await Range.DisposeAsync();
        }

        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
    }

    /// <summary>The app's UserSessions table, to read what the server stored about a session.</summary>
    public TableClient SessionsTable() => _app!.Table("UserSessions");

    /// <summary>The system Chromium: FUNCAUTH_CHROMIUM, else Debian's binary, else whatever `chromium` is on PATH.</summary>
    public static string FindChromium()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("FUNCAUTH_CHROMIUM"), "/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, "chromium")));
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c))
            ?? throw new InvalidOperationException("Chromium is not installed: `apt-get install chromium` (scripts/test.sh does it), or set FUNCAUTH_CHROMIUM to a Chromium binary.");
    }

    private void StartSpaServer(int port) =>
        StartNodeServer(RepoPaths.Combine("samples", "spa", "serve.mjs"), "--port", port.ToString(), "--host", "127.0.0.1", "--api", ApiUrl);

    private void StartNodeServer(params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _servers.Add(process);
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = new Uri(ApiUrl) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/api/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "The app did not become healthy in time.");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForPortAsync(int port, TimeSpan timeout)
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
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The real app on a real loopback port (browsers need real HTTP), with refresh requests counted.</summary>
    private sealed class KestrelApp : WebApplicationFactory<Program>
    {
        private readonly int _port;
        private readonly RefreshCounter _counter;
        private readonly Dictionary<string, string?> _settings;

        public KestrelApp(int port, RefreshCounter counter, Dictionary<string, string?> settings)
        {
            _port = port;
            _counter = counter;
            _settings = settings;
            UseKestrel(port);
        }

        public TableClient Table(string name) => new TableServiceClient(_settings["Storage:ConnectionString"]).GetTableClient(_settings["Storage:TablePrefix"] + name);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("urls", $"http://127.0.0.1:{_port}");
            foreach (var (key, value) in _settings)
            {
                builder.UseSetting(key, value);
            }

            // The browser tests assert on what the pages show; the app's request log would only bury the test output.
            builder.ConfigureLogging(logging => logging.ClearProviders());
            builder.ConfigureTestServices(services =>
            {
                var tableOptions = new TableClientOptions();
                tableOptions.Retry.MaxRetries = 1;
                tableOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
                services.AddSingleton(tableOptions);
                services.AddSingleton<IStartupFilter>(_counter);
            });
        }
    }
}

/// <summary>
/// samples/OidcWebApp as it ships, on a real loopback port: only its authority (FuncAuth), client id and (default)
/// callback path are set. Its OpenID Connect handler reads FuncAuth's discovery document and keys over real HTTP.
/// </summary>
internal sealed class OidcWebAppHost : WebApplicationFactory<FuncAuth.Samples.OidcWebApp.Program>
{
    private readonly int _port;
    private readonly string _authority;
    private readonly string _clientId;

    public OidcWebAppHost(int port, string authority, string clientId)
    {
        _port = port;
        _authority = authority;
        _clientId = clientId;
        UseKestrel(port);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("urls", $"http://127.0.0.1:{_port}");
        builder.UseSetting("FuncAuth:Authority", _authority);
        builder.UseSetting("FuncAuth:ClientId", _clientId);
        builder.ConfigureLogging(logging => logging.ClearProviders());
    }
}

/// <summary>Counts the refresh requests the server received, and those it answered with tokens.</summary>
public sealed class RefreshCounter : IStartupFilter
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<long> _arrivals = new();
    private int _requests;
    private int _succeeded;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>When each refresh request arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamps), in order.</summary>
    public IReadOnlyList<long> Arrivals => [.. _arrivals];

    public int Succeeded => Volatile.Read(ref _succeeded);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextDelegate) =>
        {
            var isRefresh = HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals("/api/auth/refresh", StringComparison.OrdinalIgnoreCase);
            if (isRefresh)
            {
                _arrivals.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
            }

            await nextDelegate(context);
            if (isRefresh)
            {
                Interlocked.Increment(ref _requests);
                if (context.Response.StatusCode == StatusCodes.Status200OK)
                {
                    Interlocked.Increment(ref _succeeded);
                }
            }
        });
        next(app);
    };
}

// Alone, after the other collections: Chromium is heavy for a 2-core machine, and these tests measure time.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SpaCollection : ICollectionFixture<SpaFixture>
{
    public const string Name = "Browser";
}
