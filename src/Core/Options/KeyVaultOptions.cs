using System.ComponentModel.DataAnnotations;

namespace FuncAuth.Core.Options;

/// <summary>The Key Vault secret whose versions are the JWT signing keys (configuration section <c>KeyVault</c>).</summary>
public sealed class KeyVaultOptions : IValidatableObject
{
    public const string Section = "KeyVault";

    public Uri? Uri { get; set; }

    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[0-9A-Za-z-]{1,127}$")]
    public string SigningKeySecretName { get; set; } = "jwt-signing-key";

    /// <summary>The secret whose versions are the keys that encrypt TOTP secrets (32 random bytes in base64 each).</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[0-9A-Za-z-]{1,127}$")]
    public string MfaKeySecretName { get; set; } = "mfa-encryption-key";

    /// <summary>How often the enabled key versions are re-read, so rotation and revocation take effect.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxRefreshInterval = TimeSpan.FromDays(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!OptionRanges.Within(RefreshInterval, MinRefreshInterval, MaxRefreshInterval))
        {
            yield return OptionRanges.Failure("KeyVault__RefreshInterval", MinRefreshInterval, MaxRefreshInterval, nameof(RefreshInterval));
        }
    }
}
