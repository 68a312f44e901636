using System.Text.Json;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Http;

/// <summary>
/// The Functions host routes by the function.json files, the program by its endpoints: they must agree exactly,
/// or a function exists in Azure that the program does not serve (or the reverse).
/// </summary>
public sealed class FunctionManifestTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly string FunctionsDir = RepoPaths.Combine("src", "Functions");

    [Fact]
    public void EveryFunctionJsonMatchesAnEndpointOfTheAppAndViceVersa()
    {
        var declared = Directory.GetFiles(FunctionsDir, "function.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(Describe)
            .Order()
            .ToList();

        var served = azurite.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m =>
                $"{e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName} {m} {e.RoutePattern.RawText!.TrimStart('/')}"))
            .Order()
            .ToList();

        Assert.Equal(declared, served);
        Assert.Equal(55, declared.Select(d => d.Split(' ')[0]).Distinct().Count());
    }

    [Fact]
    public void HostJsonMakesTheProgramACustomHandlerWithRoutesSpelledOutInFull()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("host.json")));
        var handler = host.RootElement.GetProperty("customHandler");

        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.Equal("FuncAuth.Functions", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.True(handler.GetProperty("enableProxyingHttpRequest").GetBoolean());
        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void TheTimerFunctionRunsOnTheCleanupScheduleSetting()
    {
        using var function = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsDir, "CleanupExpiredTokens", "function.json")));
        var binding = Assert.Single(function.RootElement.GetProperty("bindings").EnumerateArray());

        Assert.Equal("timerTrigger", binding.GetProperty("type").GetString());
        Assert.Equal("%CleanupSchedule%", binding.GetProperty("schedule").GetString());
    }

    [Fact]
    public void TheSendEmailFunctionIsTriggeredByTheOutboxQueue()
    {
        using var function = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsDir, "SendEmail", "function.json")));
        var binding = Assert.Single(function.RootElement.GetProperty("bindings").EnumerateArray());

        Assert.Equal("queueTrigger", binding.GetProperty("type").GetString());
        Assert.Equal("message", binding.GetProperty("name").GetString());
        // The host reads this queue; the app writes to Email__QueueName, whose default must be the same queue.
        Assert.Equal(new FuncAuth.Core.Options.EmailOptions().QueueName, binding.GetProperty("queueName").GetString());
        Assert.Equal("EmailQueue", binding.GetProperty("connection").GetString());
    }

    /// <summary>"Name METHOD route" for each method of an HTTP trigger; the timer and the queue trigger map to their invocation route.</summary>
    private static IEnumerable<string> Describe(string path)
    {
        var name = Path.GetFileName(Path.GetDirectoryName(path))!;
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var trigger = json.RootElement.GetProperty("bindings").EnumerateArray().First(b => b.GetProperty("direction").GetString() == "in");
        if (trigger.GetProperty("type").GetString() is "timerTrigger" or "queueTrigger")
        {
            return [$"{name} POST {name}"];
        }

        Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString());
        var route = trigger.GetProperty("route").GetString()!;
        return trigger.GetProperty("methods").EnumerateArray().Select(m => $"{name} {m.GetString()!.ToUpperInvariant()} {route}").ToList();
    }
}
