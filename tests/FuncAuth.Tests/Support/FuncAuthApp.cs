using System.Net;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Support;

/// <summary>
/// The real app in-process, on its own tables in Azurite (a fresh table prefix), with its Table Storage calls counted
/// and its logs captured. Settings use the same names as the environment (<c>Auth__AdminEmails</c> → <c>Auth:AdminEmails</c>).
/// </summary>
public sealed class FuncAuthApp : WebApplicationFactory<Program>
{
    public const string AdminEmail = "root-admin@example.com";

    private readonly Dictionary<string, string?> _settings;
    private readonly FakeTimeProvider? _time;
    private readonly KeyVaultStandIn? _keyVault;
    private readonly bool _asInProduction;

    private FuncAuthApp(Dictionary<string, string?> settings, FakeTimeProvider? time, KeyVaultStandIn? keyVault, bool asInProduction)
    {
        _settings = settings;
        _time = time;
        _keyVault = keyVault;
        _asInProduction = asInProduction;
    }

    public StorageRequestCounter StorageRequests { get; } = new();

    /// <summary>The app's Queue Storage calls (the email outbox), counted apart from the table calls.</summary>
    public StorageRequestCounter QueueRequests { get; } = new();

    /// <summary>This app's outbox queue, for tests that look at what was queued.</summary>
    public Azure.Storage.Queues.QueueClient OutboxQueue() =>
        new Azure.Storage.Queues.QueueServiceClient(_settings["Storage:ConnectionString"], new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 })
            .GetQueueClient(_settings.GetValueOrDefault("Email:QueueName") ?? new FuncAuth.Core.Options.EmailOptions().QueueName);

    /// <summary>This app's tables, for tests that look at what was stored.</summary>
    /// <summary>The prefix of every table of this app (each app its own tables).</summary>
    public string TablePrefix => _settings["Storage:TablePrefix"]!;

    public TableClient Table(string name) => new TableServiceClient(_settings["Storage:ConnectionString"]).GetTableClient(_settings["Storage:TablePrefix"] + name);

    public FakeLogCollector Logs => Services.GetRequiredService<FakeLogCollector>();

    /// <summary>
    /// Starts the app and waits until its health endpoint says healthy (tables created, key loaded).
    /// <paramref name="settings"/> override the defaults below; a null value removes a setting.
    /// <paramref name="asInProduction"/> runs it in the Production environment with the log levels it has there
    /// (otherwise Development, with everything from Debug up captured); it needs <c>KeyVault__Uri</c>.
    /// </summary>
    public static Task<FuncAuthApp> StartAsync(
        AzuriteFixture azurite,
        IReadOnlyDictionary<string, string?>? settings = null,
        FakeTimeProvider? time = null,
        KeyVaultStandIn? keyVault = null,
        bool waitUntilHealthy = true,
        bool asInProduction = false) =>
        StartAsync(azurite.ConnectionString, settings, time, keyVault, waitUntilHealthy, asInProduction);

    /// <inheritdoc cref="StartAsync(AzuriteFixture, IReadOnlyDictionary{string, string?}?, FakeTimeProvider?, KeyVaultStandIn?, bool)"/>
    public static Task<FuncAuthApp> StartAsync(
        AzuriteServer azurite,
        IReadOnlyDictionary<string, string?>? settings = null,
        FakeTimeProvider? time = null,
        KeyVaultStandIn? keyVault = null,
        bool waitUntilHealthy = true) =>
        StartAsync(azurite.ConnectionString, settings, time, keyVault, waitUntilHealthy);

    private static async Task<FuncAuthApp> StartAsync(
        string connectionString,
        IReadOnlyDictionary<string, string?>? settings = null,
        FakeTimeProvider? time = null,
        KeyVaultStandIn? keyVault = null,
        bool waitUntilHealthy = true,
        bool asInProduction = false)
    {
        var all = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = connectionString,
            ["Storage:TablePrefix"] = "t" + Guid.NewGuid().ToString("N")[..10],
            // Each app its own outbox queue: the queue service is shared by every test class.
            ["Email:QueueName"] = "q" + Guid.NewGuid().ToString("N")[..20],
            ["Auth:AdminEmails"] = AdminEmail,
            ["Cors:AllowedOrigins"] = "https://app.example.com",
            // Tests of other features send many requests from one address; the limit tests turn the limits on.
            ["RateLimit:Enabled"] = "false",
            ["Auth:MaxQueuedHashes"] = "1000",
            // Tests check behaviour, not the deadline (RequestDeadlineTests does): on a busy machine a sign-up's slow
            // password hash alone can take longer than the production default of 2 s.
            ["Storage:RequestDeadline"] = "00:00:30",
            // Nothing here may reach the internet: the breached-password tests turn the check on against a RangeServer.
            ["Passwords:BreachCheck"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        var app = new FuncAuthApp(all, time, keyVault, asInProduction);
        if (waitUntilHealthy)
        {
            await app.WaitUntilHealthyAsync();
        }

        return app;
    }

    public async Task WaitUntilHealthyAsync()
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            using var response = await client.GetAsync("/api/health");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The app did not become healthy: " + await response.Content.ReadAsStringAsync());
            }

            await Task.Delay(100);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_asInProduction ? "Production" : "Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.AddFakeLogging();
            if (!_asInProduction)
            {
                logging.SetMinimumLevel(LogLevel.Debug);
            }
        });
        builder.ConfigureTestServices(services =>
        {
            var tableOptions = new TableClientOptions();
            tableOptions.AddPolicy(StorageRequests, HttpPipelinePosition.PerCall);
            tableOptions.Retry.MaxRetries = 1;
            tableOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
            services.AddSingleton(tableOptions);
            var queueOptions = new Azure.Storage.Queues.QueueClientOptions();
            queueOptions.AddPolicy(QueueRequests, HttpPipelinePosition.PerCall);
            queueOptions.Retry.MaxRetries = 1;
            queueOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
            services.AddSingleton(queueOptions);
            if (_time is not null)
            {
                services.AddSingleton<TimeProvider>(_time);
            }

            if (_keyVault is not null)
            {
                services.AddSingleton<SecretClientOptions>(_keyVault.CreateClientOptions());
                services.AddSingleton<TokenCredential>(_keyVault.Credential);
            }

            // Any outgoing call made through IHttpClientFactory to anything but loopback fails the request loudly,
            // instead of failing open unseen (the breached-password check would) or reaching the internet.
            services.ConfigureHttpClientDefaults(client => client.AddHttpMessageHandler(() => new LoopbackOnly()));

            // TestServer has no socket, so no remote address; requests here stand for loopback callers.
            services.AddSingleton<IStartupFilter>(new LoopbackCaller());
        });
    }

    private sealed class LoopbackOnly : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri is { IsLoopback: true }
                ? base.SendAsync(request, cancellationToken)
                : throw new InvalidOperationException($"A test app tried to call {request.RequestUri?.Host}: tests must not reach the internet.");
    }

    private sealed class LoopbackCaller : IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(nextDelegate => context =>
            {
                context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
                return nextDelegate(context);
            });
            next(app);
        };
    }
}
