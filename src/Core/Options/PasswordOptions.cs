using System.ComponentModel.DataAnnotations;

namespace FuncAuth.Core.Options;

/// <summary>The breached-password check (configuration section <c>Passwords</c>).</summary>
public sealed class PasswordOptions : IValidatableObject
{
    public const string Section = "Passwords";

    /// <summary>Checks every new password against the Have I Been Pwned range API (signup, reset, change).</summary>
    public bool BreachCheck { get; set; } = true;

    /// <summary>The range API's base URL; <c>/range/&lt;5 hex digits&gt;</c> is appended.</summary>
    public string BreachApiBaseUrl { get; set; } = "https://api.pwnedpasswords.com";

    /// <summary>The base URL as a directory, so a relative <c>range/...</c> keeps any path it has.</summary>
    public Uri BreachApiBase => new(BreachApiBaseUrl.TrimEnd('/') + "/");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // https, or http to a loopback address only (the tests' local range server): the prefix is not secret, but the
        // answer decides whether a password is refused.
        if (!Uri.TryCreate(BreachApiBaseUrl, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            yield return new("must be an absolute https URL (http only to a loopback address), without query or credentials", [nameof(BreachApiBaseUrl)]);
        }
    }
}
