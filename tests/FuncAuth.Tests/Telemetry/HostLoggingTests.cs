using System.Text.Json;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Telemetry;

/// <summary>
/// What the Functions host sends to Application Insights (host.json): the app's standard output (its auth events) and
/// one request record per invocation, but not the host's own "Executing"/"Executed" traces of each invocation.
/// </summary>
public sealed class HostLoggingTests
{
    [Fact]
    public void TheHostKeepsTheAppsOutputAndItsRequestRecordsButNotItsPerInvocationTraces()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("host.json")));
        var levels = host.RootElement.GetProperty("logging").GetProperty("logLevel").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase);

        Assert.Equal("Warning", levels["Function"]);
        // Categories match by prefix: neither of these starts with "Function", so the default applies to both.
        Assert.Equal("Information", levels["default"]);
        Assert.DoesNotContain(levels.Keys, k => "Host.Function.Console".StartsWith(k, StringComparison.OrdinalIgnoreCase) || "Host.Results".StartsWith(k, StringComparison.OrdinalIgnoreCase));
    }
}
