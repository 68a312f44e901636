using System.Text.Json;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.OpenApi;

/// <summary>The committed docs/openapi.json describes exactly the HTTP routes the Functions host routes (function.json).</summary>
public sealed class OpenApiRouteTests
{
    [Fact]
    public void TheCommittedDocumentListsEveryRouteAndMethodOfEveryFunctionJsonAndNothingElse()
    {
        var declared = Directory.GetFiles(RepoPaths.Combine("src", "Functions"), "function.json", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .SelectMany(HttpRoutes)
            .Order()
            .ToList();
        using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("docs", "openapi.json")));

        var documented = OpenApiDocumentTests.Operations(document.RootElement)
            .Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}")
            .Order()
            .ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(declared, documented);
    }

    /// <summary>"METHOD /route" for each method of an HTTP trigger; timer and queue triggers have no route.</summary>
    private static IEnumerable<string> HttpRoutes(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var trigger = json.RootElement.GetProperty("bindings").EnumerateArray().First(b => b.GetProperty("direction").GetString() == "in");
        if (trigger.GetProperty("type").GetString() != "httpTrigger")
        {
            return [];
        }

        var route = "/" + trigger.GetProperty("route").GetString();
        return trigger.GetProperty("methods").EnumerateArray().Select(m => $"{m.GetString()!.ToUpperInvariant()} {route}").ToList();
    }
}
