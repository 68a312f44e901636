using System.Text.RegularExpressions;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Core;

/// <summary>
/// No request path scans a table (docs/api.md, "Data"): every table query in the code names one partition
/// (<c>PartitionKey eq</c> first), except the cleanup timer's sweeps over due index hours and ended rate-limit windows,
/// which read partition ranges by design, and the admin index's one-time fill, are named here. Read from the sources,
/// so a new query cannot slip by.
/// </summary>
public sealed partial class QueryFilterTests
{
    // Method name → why it may read more than one partition.
    private static readonly Dictionary<string, string> TimerSweeps = new(StringComparer.Ordinal)
    {
        ["DueIndexEntriesAsync"] = "the sessions' and the keys' due index hours",
        ["RemoveExpiredAsync"] = "rate-limit windows that have ended, one shard range at a time",
        ["RemoveExpiredEventsAsync"] = "the audit trail's retention index days that are wholly past Audit__Retention",
        ["EnsureCreatedAsync"] = "the service's table list at start, not a table",
        // Not a timer, but once per deployment: the first demotion after the index was introduced fills it from the
        // accounts stored before (AdminIndex.BuildAsync); its guard row marks it done for good.
        ["BuildAsync"] = "the admin index's one-time fill",
    };

    [Fact]
    public void EveryTableQueryNamesOnePartitionExceptTheCleanupSweeps()
    {
        var filters = Sources().SelectMany(file => FilterPattern().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Method: EnclosingMethod(File.ReadAllText(file), m.Index), Filter: m.Groups["filter"].Value))).ToList();

        Assert.NotEmpty(filters);
        Assert.All(filters, f => Assert.True(
            f.Filter.StartsWith("PartitionKey eq {", StringComparison.Ordinal) || TimerSweeps.ContainsKey(f.Method),
            $"{f.File} {f.Method}: the query \"{f.Filter}\" does not name one partition"));
    }

    [Fact]
    public void EveryQueryCallTakesAFilterBuiltAsAbove()
    {
        // Each query call's filter comes from CreateQueryFilter (checked above): as many calls as filters, per file. The
        // typed wrapper QueryRowsAsync passes on the filter its callers built.
        foreach (var file in Sources().Where(f => !f.EndsWith("TableRows.cs", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var calls = QueryCallPattern().Count(text);
            var filters = FilterPattern().Count(text);
            Assert.True(calls <= filters, $"{Path.GetFileName(file)}: {calls} queries but {filters} filters built with CreateQueryFilter");
        }
    }

    private static IEnumerable<string> Sources() =>
        Directory.EnumerateFiles(RepoPaths.Combine("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal));

    private static string EnclosingMethod(string text, int index) =>
        MethodPattern().Matches(text[..index]).LastOrDefault()?.Groups["name"].Value ?? "";

    [GeneratedRegex(@"CreateQueryFilter\(\s*\$""(?<filter>[^""]*)""")]
    private static partial Regex FilterPattern();

    [GeneratedRegex(@"\.Query(Rows)?Async(<[^>]+>)?\(")]
    private static partial Regex QueryCallPattern();

    [GeneratedRegex(@"(?:public|private|internal)\s+(?:static\s+)?(?:async\s+)?[\w<>\[\]?,\s().]+?\s(?<name>\w+)(?:<\w+>)?\(")]
    private static partial Regex MethodPattern();
}
