using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using FuncAuth.Core.Diagnostics;
using Microsoft.Extensions.Configuration.Memory;
using OpenTelemetry.Metrics;

namespace FuncAuth.Functions.Telemetry;

/// <summary>
/// What the app writes and exports. Logs: FuncAuth's own events (signup, login, refresh, reuse, logout, revocations,
/// admin changes, limits, key loads) at their levels, and from the framework and the SDKs only warnings and errors, so
/// a successful request writes no line of its own. Metrics: the <see cref="AuthMetrics"/> counters, exported to
/// Application Insights only where <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The setting that turns the export on (the Functions host reads the same one for its own telemetry).</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Says how to authenticate the export; <c>Authorization=AAD</c> means with the app's Entra identity.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// Logging defaults. They are the lowest-priority configuration source, so that any setting
    /// (<c>Logging__LogLevel__Microsoft.AspNetCore=Information</c>) brings a category back without a rebuild.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> LoggingDefaults = new Dictionary<string, string?>
    {
        // Hosting's request start and finish, routing, endpoint execution, result writing: about six lines per request.
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        // Start and stop lines (content root, environment, "Application started") on every instance start.
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        ["Logging:LogLevel:Microsoft.Extensions"] = "Warning",
        ["Logging:LogLevel:System.Net.Http"] = "Warning",
        ["Logging:LogLevel:Azure"] = "Warning",
        // One line per event: under the Functions host each line of standard output becomes one trace in Application
        // Insights, and the default format spends two on each event.
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        // The host logs a line of standard output as Information and one of standard error as Warning when it says
        // "warn", else as Error: so warnings and errors keep their severity in Application Insights.
        ["Logging:Console:LogToStandardErrorThreshold"] = "Warning",
    };

    public static WebApplicationBuilder AddFuncAuthTelemetry(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });

        var connectionString = builder.Configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // Off unless asked: locally, in tests and in CI nothing leaves the machine. The counters still exist, for
            // dotnet-counters or any MeterListener.
            return builder;
        }

        var credential = ExportCredential(builder.Configuration[AuthenticationStringSetting]);
        // Metrics only. Logs already reach Application Insights through the Functions host, which collects the
        // handler's standard output; exporting them here too would store and bill each one twice. Request traces would
        // be per-request telemetry again, and the host records every invocation already.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(AuthMetrics.MeterName)
            .AddAzureMonitorMetricExporter(
                options =>
                {
                    options.ConnectionString = connectionString;
                    options.EnableLiveMetrics = false;
                },
                credential));
        return builder;
    }

    /// <summary>
    /// The credential for the export, read from the authentication string the way the Functions host reads it for its
    /// own telemetry: <c>ClientId=...;Authorization=AAD</c> is the user-assigned identity (what infra/ sets),
    /// <c>Authorization=AAD</c> alone the default chain (a system-assigned identity, or a developer's Azure CLI login).
    /// Without it the connection string alone authenticates, which only a component with local auth on accepts.
    /// </summary>
    internal static TokenCredential? ExportCredential(string? authenticationString)
    {
        var parts = (authenticationString ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && !string.IsNullOrEmpty(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
    }
}
