using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using FuncAuth.Core.Options;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    public SuiteApp(string connectionString, KeyVaultStandIn keyVault, TimeSpan deadline)
    {
        _keyVault = keyVault;
        _deadline = deadline;
        _settings = new()
        {
            ["Storage:ConnectionString"] = connectionString,
            ["Storage:RequestDeadline"] = deadline.ToString("c"),
            ["KeyVault:Uri"] = keyVault.VaultUri.ToString(),
            // Re-read the keys often, so the Key Vault outage is actually met by reloads during the run.
            ["KeyVault:RefreshInterval"] = "00:00:05",
            ["Auth:AdminEmails"] = AdminEmail,
            // The limits stay on, so their counters in the RateLimits table meet the faults too; but every virtual user
            // comes from one loopback address, so the per-address token limit is raised far above what the run sends
            // (about 60 token requests per second). The failed-login limits keep their defaults: the traffic never
            // sends a wrong password. A 429 would still be an expected answer.
            ["RateLimit:TokenRequestsPerAddress:Limit"] = "1000000",
        };
        // The app's content root, where the factory would otherwise guess it from the solution folder.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_FUNCAUTH_FUNCTIONS", Path.Combine(RepoRoot.Path, "src", "Functions"));
        Port = AzuriteProcess.FreePort();
        UseKestrel(Port);
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Development without email delivery is the one mode in which an address of Auth__AdminEmails is admin from its
        // sign-up (elsewhere only after a password reset, which needs mail); the suite's admin user needs that. Key Vault
        // is configured, so signing keys still come from it, as in production.
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // The suite counts answers itself; a log line per 503 would only compete for the CPU.
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<SecretClientOptions>(DependencyBudget.Apply(_keyVault.CreateClientOptions(), _deadline));
            services.AddSingleton<TokenCredential>(_keyVault.Credential);
        });
    }
}
