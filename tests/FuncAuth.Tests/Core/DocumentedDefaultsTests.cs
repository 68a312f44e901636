using System.Globalization;
using System.Text.RegularExpressions;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Audit;
using FuncAuth.Core.OAuth;
using FuncAuth.Core.Options;
using FuncAuth.Core.Passwords;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Core;

/// <summary>
/// A default lives in its options class; the settings tables of docs/api.md state it again for readers. The two agree.
/// </summary>
public sealed partial class DocumentedDefaultsTests
{
    private static readonly Dictionary<string, object[]> OptionsBySection = new(StringComparer.Ordinal)
    {
        [AuthOptions.Section] = [new AuthOptions(), new HashingOptions()],
        [StorageOptions.Section] = [new StorageOptions()],
        [KeyVaultOptions.Section] = [new KeyVaultOptions()],
        [EmailOptions.Section] = [new EmailOptions()],
        [PasswordOptions.Section] = [new PasswordOptions()],
        [ApiKeyOptions.Section] = [new ApiKeyOptions()],
        [RateLimitOptions.Section] = [new RateLimitOptions()],
        [AuditOptions.Section] = [new AuditOptions()],
        [OAuthOptions.Section] = [new OAuthOptions()],
    };

    [Fact]
    public void EveryDefaultInTheSettingsTablesIsTheOptionsClasssValue()
    {
        var rows = SettingRow().Matches(File.ReadAllText(RepoPaths.Combine("docs", "api.md")))
            .Where(m => OptionsBySection.ContainsKey(m.Groups["section"].Value))
            .ToList();

        var compared = 0;
        foreach (var row in rows)
        {
            var setting = $"{row.Groups["section"].Value}__{row.Groups["name"].Value}";
            var property = OptionsBySection[row.Groups["section"].Value]
                .Select(o => (Options: o, Property: o.GetType().GetProperty(row.Groups["name"].Value)))
                .FirstOrDefault(p => p.Property is not null);
            Assert.True(property.Property is not null, $"{setting} is documented but no options class of its section has it");
            Assert.True(Text(property.Property!.GetValue(property.Options)) is { } actual && string.Equals(actual, row.Groups["value"].Value, StringComparison.OrdinalIgnoreCase),
                $"{setting}: docs/api.md says {row.Groups["value"].Value}, the options class {Text(property.Property.GetValue(property.Options))}");
            compared++;
        }

        // The tables hold about twenty such rows: a format change that matches none must not pass quietly.
        Assert.True(compared >= 15, $"only {compared} documented defaults found");
    }

    private static string? Text(object? value) => value switch
    {
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString(),
    };

    // | `Section__Name` | `value` | ...: only rows whose default is one literal (not "none", "empty" or a sentence).
    [GeneratedRegex(@"^\| `(?<section>[A-Za-z]+)__(?<name>[A-Za-z]+)` \| `(?<value>[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex SettingRow();
}
