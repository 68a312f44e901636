using FuncAuth.Functions.Telemetry;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace FuncAuth.Tests.Telemetry;

/// <summary>
/// The OpenTelemetry export: off without an Application Insights connection string, the auth counters with one. Alone
/// in its collection: a meter provider listens to every meter of its name in the process, including those of the apps
/// other test classes run at the same time.
/// </summary>
[Collection(Name)]
public sealed class MetricExportTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    public const string Name = "Metric export";

    [Fact]
    public async Task WithoutAConnectionStringNothingIsExported()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);

        Assert.Null(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task WithAConnectionStringTheAuthCountersAreExported()
    {
        // The SDK's own usage telemetry would look for Azure's instance metadata endpoint: not from a test.
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
        // An ingestion endpoint on a closed loopback port: the Application Insights exporter is built and sends nowhere.
        var settings = new Dictionary<string, string?>
        {
            [TelemetrySetup.ConnectionStringSetting] = $"InstrumentationKey={Guid.NewGuid()};IngestionEndpoint=http://127.0.0.1:{LoopbackPorts.FreePort()}/",
        };
        // Healthy first: the tables of this app's fresh prefix exist before the first sign-up.
        await using var app = await FuncAuthApp.StartAsync(azurite, settings);
        var exported = new List<Metric>();
        // A second reader on the app's own meter provider sees exactly what the Application Insights exporter is given.
        using var observed = app.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported))));
        using var client = observed.CreateClient();
        var user = await client.SignupAsync();
        await client.LoginAsync(user.Email);

        var provider = observed.Services.GetRequiredService<MeterProvider>();
        // The Application Insights exporter fails to reach its closed port, so the result is not asserted.
        provider.ForceFlush(10_000);

        var logins = exported.Where(m => m.Name == "funcauth.logins").ToList();
        Assert.NotEmpty(logins);
        Assert.Equal("FuncAuth", logins[0].MeterName);
        long ok = 0;
        foreach (ref readonly var point in logins[^1].GetMetricPoints())
        {
            foreach (var tag in point.Tags)
            {
                if (tag is { Key: "outcome", Value: "ok" })
                {
                    ok += point.GetSumLong();
                }
            }
        }

        Assert.Equal(1, ok);
        Assert.Contains(exported, m => m.Name == "funcauth.signups");
        // Only FuncAuth's meter: no per-request framework instruments go out.
        Assert.All(exported, m => Assert.Equal("FuncAuth", m.MeterName));
    }
}

[CollectionDefinition(MetricExportTests.Name, DisableParallelization = true)]
public sealed class MetricExportCollection;
