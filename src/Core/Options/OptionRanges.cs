using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace FuncAuth.Core.Options;

/// <summary>
/// Range checks of <see cref="TimeSpan"/> settings. <c>[Range(typeof(TimeSpan), ...)]</c> converts its bounds through a
/// TypeConverter found by reflection, which trimming cannot follow, so these settings check their range in code.
/// </summary>
internal static class OptionRanges
{
    public static bool Within(TimeSpan value, TimeSpan min, TimeSpan max) => value >= min && value <= max;

    public static ValidationResult Failure(string setting, TimeSpan min, TimeSpan max, string member) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{setting} must be between {min:c} and {max:c}"), [member]);
}
