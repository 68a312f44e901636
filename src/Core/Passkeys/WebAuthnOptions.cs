using System.ComponentModel.DataAnnotations;

namespace FuncAuth.Core.Passkeys;

/// <summary>
/// The WebAuthn relying party (configuration section <c>Auth:WebAuthn</c>). The RP id is the domain passkeys are bound
/// to: every origin the browser signs in from must be that domain or a subdomain of it, and a passkey made for one RP
/// id never works for another. Both default from <c>Cors__AllowedOrigins</c> (see <see cref="PasskeyServices"/>).
/// </summary>
public sealed class WebAuthnOptions : IValidatableObject
{
    public const string Section = "Auth:WebAuthn";

    /// <summary>A registrable domain (or <c>localhost</c>), no scheme or port; default the host of the first allowed origin.</summary>
    public string? RpId { get; set; }

    /// <summary>Comma-separated origins whose pages may use the passkeys; default <c>Cors__AllowedOrigins</c>.</summary>
    public string? Origins { get; set; }

    /// <summary>The name authenticators show beside the passkey: <c>Auth__TotpIssuer</c>, default "FuncAuth".</summary>
    public string RpName { get; set; } = Options.AuthOptions.DefaultTotpIssuer;

    public string[] OriginList => (Origins ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(o => o.TrimEnd('/')).ToArray();

    /// <summary>Passkeys work only when an RP id and at least one origin are known.</summary>
    public bool IsEnabled => !string.IsNullOrEmpty(RpId) && OriginList.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsEnabled)
        {
            yield break;
        }

        if (Uri.CheckHostName(RpId) != UriHostNameType.Dns || RpId!.EndsWith('.'))
        {
            yield return new ValidationResult("Auth__WebAuthn__RpId must be a domain name such as example.com (no scheme, port or path).", [nameof(RpId)]);
            yield break;
        }

        foreach (var origin in OriginList)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.PathAndQuery != "/"
                || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
            {
                yield return new ValidationResult($"Auth__WebAuthn__Origins: '{origin}' is not an https origin (http only for localhost).", [nameof(Origins)]);
            }
            else if (!OnRpId(uri.Host, RpId))
            {
                yield return new ValidationResult(
                    $"Auth__WebAuthn__Origins: '{origin}' is not on the RP id '{RpId}' (the host must be the RP id or a subdomain of it).", [nameof(Origins)]);
            }
        }
    }

    /// <summary>WebAuthn's rule: the origin's host equals the RP id or ends with "." + the RP id.</summary>
    public static bool OnRpId(string host, string rpId) =>
        string.Equals(host, rpId, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + rpId, StringComparison.OrdinalIgnoreCase);
}
