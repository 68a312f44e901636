using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using FuncAuth.Core.Options;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FuncAuth.FaultSuite;

/// <summary>
/// The built app (the same Program, routes and middleware as production) listening on a real loopback port. It runs in
/// this process because only a client configured for it can reach the Key Vault stand-in (its own certificate, its
/// fixed token); the production settings offer no such door, on purpose. Table Storage is reached over the network as
/// always, with the production client options (per-try timeout and retry from <see cref="DependencyBudget"/>).
/// </summary>
public sealed class SuiteApp : WebApplicationFactory<Program>
{
    public const string AdminEmail = "fault-admin@example.com";

    private readonly Dictionary<string, string?> _settings;
    private readonly KeyVaultStandIn _keyVault;
    private readonly TimeSpan _deadline;

    /// <summary>The outbox queue's name in the suite's storage account.</summary>
    public const string OutboxQueue = "fault-outbox";

    private readonly EmailLedger _ledger;

    /// <summary>What the app writes to its console, counted (its lines and bytes per phase are in the report).</summary>
    public LogVolume LogVolume { get; } = new();

    public SuiteApp(string connectionString, KeyVaultStandIn keyVault, TimeSpan deadline, int smtpPort, EmailLedger ledger)
    {
        _keyVault = keyVault;
        _deadline = deadline;
        _ledger = ledger;
        _settings = new()
        {
            ["Storage:ConnectionString"] = connectionString,
            ["Storage:RequestDeadline"] = deadline.ToString("c"),
            ["KeyVault:Uri"] = keyVault.VaultUri.ToString(),
            // Re-read the keys often, so the Key Vault outage is actually met by reloads during the run.
            ["KeyVault:RefreshInterval"] = "00:00:05",
            ["Auth:AdminEmails"] = AdminEmail,
            // No internet: the breached-password API is not one of the dependencies the suite injects faults into.
            ["Passwords:BreachCheck"] = "false",
            // The limits stay on, so their counters in the RateLimits table meet the faults too; but every virtual user
            // comes from one loopback address, so the per-address token limit is raised far above what the run sends
            // (about 60 token requests per second). The failed-login limits keep their defaults: the traffic never
            // sends a wrong password. A 429 would still be an expected answer.
            ["RateLimit:TokenRequestsPerAddress:Limit"] = "1000000",
            // Loopback named a trusted proxy, so the per-address counters count the suite's one address (an address that
            // is not public is otherwise skipped by the per-address limits) and meet the faults too.
            ["Network:TrustedProxies"] = "127.0.0.1,::1",
            // Email through the outbox to smtp4dev; this instance drains the queue itself (no Functions host). A failed send
            // is tried again after 2 s, and only after 50 tries (well beyond the 30 s outage) does it go to the poison
            // queue. The email limits are raised for the same reason as the token limit: one address, many users, and
            // each user asks for mail every few seconds; the outbox invariant expects every queued email to be sent.
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:SmtpSecurity"] = "None",
            ["Email:From"] = "FuncAuth <no-reply@funcauth.test>",
            ["Email:LinkBaseUrl"] = "https://app.example.com",
            ["Email:QueueName"] = OutboxQueue,
            ["Email:PollInterval"] = "00:00:00.200",
            ["Email:RetryDelay"] = "00:00:02",
            ["Email:MaxDequeueCount"] = "50",
            ["RateLimit:EmailRequestsPerAddress:Limit"] = "1000000",
            ["RateLimit:EmailsPerRecipient:Limit"] = "1000000",
            // Under the Functions host standard output is a pipe, where the console formatter writes no colour codes.
            ["Logging:Console:FormatterOptions:ColorBehavior"] = "Disabled",
        };
        // The app's content root, where the factory would otherwise guess it from the solution folder.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_FUNCAUTH_FUNCTIONS", Path.Combine(RepoRoot.Path, "src", "Functions"));
        Port = LoopbackPorts.FreePort();
        UseKestrel(Port);
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Development, as a local run; with email delivery on, the suite's admin user becomes admin as in production, by a
        // password reset through the mail (see FaultSuiteRunner). Key Vault is configured, so signing keys still come from
        // it, as in production.
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // Nothing is written to the console, where it would only compete for the CPU: what the app would write there (its
        // own filters and formatter) is counted instead. One event is kept: a sign-up's verification email the service
        // could not queue, which the outbox invariant must not count as lost.
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new EnqueueFailureCounter(_ledger));
            logging.Services.AddSingleton<ILoggerProvider>(services => new LogVolumeProvider(
                services.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Simple), LogVolume));
        });
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<SecretClientOptions>(DependencyBudget.Apply(_keyVault.CreateClientOptions(), _deadline));
            services.AddSingleton<TokenCredential>(_keyVault.Credential);
        });
    }
}

/// <summary>Counts the service's "an email could not be queued" events into the ledger.</summary>
internal sealed class EnqueueFailureCounter(EmailLedger ledger) : ILoggerProvider, ILogger
{
    /// <summary>The event id of <c>LifecycleLog.EnqueueFailed</c>.</summary>
    public const int EventId = 1107;

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == EventId)
        {
            ledger.CountEnqueueFailure();
        }
    }
}
