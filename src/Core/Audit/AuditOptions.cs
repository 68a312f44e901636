using System.ComponentModel.DataAnnotations;
using FuncAuth.Core.Options;

namespace FuncAuth.Core.Audit;

/// <summary>The audit trail (configuration section <c>Audit</c>).</summary>
public sealed class AuditOptions : IValidatableObject
{
    public const string Section = "Audit";

    /// <summary>How long an event is kept; the scheduled cleanup removes older ones.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(365);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!OptionRanges.Within(Retention, TimeSpan.FromDays(1), TimeSpan.FromDays(3650)))
        {
            yield return OptionRanges.Failure("Audit__Retention", TimeSpan.FromDays(1), TimeSpan.FromDays(3650), nameof(Retention));
        }
    }
}
