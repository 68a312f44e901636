using System.Reflection;
using System.Text.RegularExpressions;
using FuncAuth.Functions.Http;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>The error registry in code and the error table of docs/api.md are the same list of codes and statuses.</summary>
public sealed partial class ErrorRegistryTests
{
    [Fact]
    public void TheRegistryEqualsTheErrorTableOfTheApiDocument()
    {
        var documented = DocumentedErrors();
        var registered = RegisteredErrors();

        Assert.Equal(documented.Order(), registered.Order());
    }

    [Fact]
    public void EveryCodeIsRegisteredOnce()
    {
        var codes = RegisteredErrors().Select(e => e.Split(' ')[0]).ToArray();

        Assert.Equal(codes.Length, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("method_not_allowed", codes);
    }

    private static string[] RegisteredErrors() =>
        typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ApiError))
            .Select(f => (ApiError)f.GetValue(null)!)
            .Select(e => $"{e.Code} {e.Status}")
            .ToArray();

    private static string[] DocumentedErrors()
    {
        var text = File.ReadAllText(RepoPaths.Combine("docs", "api.md"));
        var section = text[text.IndexOf("## Error codes", StringComparison.Ordinal)..];
        var next = section.IndexOf("\n## ", 3, StringComparison.Ordinal);
        section = next < 0 ? section : section[..next];
        var rows = Row().Matches(section).Select(m => $"{m.Groups["code"].Value} {m.Groups["status"].Value}").ToArray();
        Assert.NotEmpty(rows);
        return rows;
    }

    [GeneratedRegex(@"^\| `(?<code>[a-z_]+)` \| (?<status>\d{3}) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
