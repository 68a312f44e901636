using System.ComponentModel.DataAnnotations;

namespace FuncAuth.Core.Options;

/// <summary>The Key Vault secret whose versions are the JWT signing keys (configuration section <c>KeyVault</c>).</summary>
public sealed class KeyVaultOptions
{
    public const string Section = "KeyVault";

    public Uri? Uri { get; set; }

    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[0-9A-Za-z-]{1,127}$")]
    public string SigningKeySecretName { get; set; } = "jwt-signing-key";

    /// <summary>How often the enabled key versions are re-read, so rotation and revocation take effect.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}
