using System.ComponentModel.DataAnnotations;

namespace FuncAuth.Core.ApiKeys;

/// <summary>API-key lifetimes (configuration section <c>ApiKeys</c>).</summary>
public sealed class ApiKeyOptions : IValidatableObject
{
    public const string Section = "ApiKeys";

    /// <summary>Lifetime of a key created without <c>expiresInDays</c>.</summary>
    public int DefaultLifetimeDays { get; set; } = 90;

    /// <summary>The longest lifetime a key may be given: every key expires.</summary>
    public int MaxLifetimeDays { get; set; } = 365;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxLifetimeDays is < 1 or > 3650)
        {
            yield return new("must be between 1 and 3650", [nameof(MaxLifetimeDays)]);
        }

        if (DefaultLifetimeDays < 1 || DefaultLifetimeDays > MaxLifetimeDays)
        {
            yield return new("must be between 1 and MaxLifetimeDays", [nameof(DefaultLifetimeDays)]);
        }
    }
}
