using System.ComponentModel.DataAnnotations;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Core.Options;

/// <summary>Token lifetimes, issuer identity and sign-up policy (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    /// <summary>The public base URL (no trailing slash): <c>iss</c> of issued tokens and the root of every published URL.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Issuer { get; set; } = "http://localhost:7071";

    [Required(AllowEmptyStrings = false)]
    public string Audience { get; set; } = "funcauth-api";

    [Required(AllowEmptyStrings = false)]
    public string ClientId { get; set; } = "funcauth";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan RefreshReuseInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Comma-separated addresses that receive the <c>admin</c> role at sign-up.</summary>
    public string? AdminEmails { get; set; }

    /// <summary>
    /// How long a new key version is published before it signs, counted from its creation. Longer than the published
    /// keys' max-age plus the key reload interval, so a relying party never meets a kid it has not been shown.
    /// </summary>
    public TimeSpan KeyActivationDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Development only: PKCS#8 PEM of the P-256 key used when no Key Vault is configured.</summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a revoked session is kept (for audit) before cleanup may remove it.</summary>
    public TimeSpan RevokedSessionRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Signup answers 202 without tokens, and login refuses unverified accounts.</summary>
    public bool RequireEmailVerification { get; set; }

    /// <summary>A session ends this long after the login that opened it, however often it is refreshed.</summary>
    public TimeSpan SessionMaxLifetime { get; set; } = TimeSpan.FromDays(90);

    public TimeSpan VerificationTokenLifetime { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Live sessions a user may hold; a login beyond it ends the least recently used.</summary>
    [Range(1, 1000)]
    public int MaxSessionsPerUser { get; set; } = 100;

    /// <summary>How long an authorization code may be redeemed (RFC 6749 §4.1.2 advises at most 10 minutes).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The sign-in page that <c>GET /oauth/authorize</c> sends the browser to with <c>request=&lt;id&gt;</c>; empty means
    /// the first allowed CORS origin + <c>/authorize</c>.
    /// </summary>
    public string? LoginPageUrl { get; set; }

    /// <summary>
    /// How recently a credential must have been proved in a session for a sensitive operation (step-up): delete the
    /// account, create an API key, end other sessions, the admin routes that change something, the second-factor changes.
    /// </summary>
    public TimeSpan ReauthenticationWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The issuer an authenticator app shows beside a TOTP entry (<c>otpauth://totp/&lt;issuer&gt;:&lt;email&gt;</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    [StringLength(64)]
    public string TotpIssuer { get; set; } = DefaultTotpIssuer;

    /// <summary>The default of <see cref="TotpIssuer"/>, which passkeys also show (<see cref="Passkeys.WebAuthnOptions.RpName"/>).</summary>
    public const string DefaultTotpIssuer = "FuncAuth";

    /// <summary>Development only: 32 bytes in base64, the key that encrypts TOTP secrets when no Key Vault is configured.</summary>
    public string? MfaKey { get; set; }

    public IReadOnlySet<string> AdminEmailSet => (AdminEmails ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(EmailAddress.Normalize)
        .ToHashSet(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AccessTokenLifetime <= TimeSpan.Zero || AccessTokenLifetime > TimeSpan.FromDays(1))
        {
            yield return new("must be between 00:00:01 and 1.00:00:00", [nameof(AccessTokenLifetime)]);
        }

        if (RefreshTokenLifetime <= AccessTokenLifetime)
        {
            yield return new("must be longer than AccessTokenLifetime", [nameof(RefreshTokenLifetime)]);
        }

        if (RefreshReuseInterval < TimeSpan.Zero || RefreshReuseInterval > TimeSpan.FromMinutes(5))
        {
            yield return new("must be between 00:00:00 and 00:05:00", [nameof(RefreshReuseInterval)]);
        }

        if (RevokedSessionRetention < TimeSpan.Zero)
        {
            yield return new("must not be negative", [nameof(RevokedSessionRetention)]);
        }

        foreach (var (name, value) in new[] { (nameof(ReauthenticationWindow), ReauthenticationWindow), (nameof(SessionMaxLifetime), SessionMaxLifetime), (nameof(VerificationTokenLifetime), VerificationTokenLifetime), (nameof(PasswordResetLifetime), PasswordResetLifetime) })
        {
            if (value < TimeSpan.FromSeconds(1))
            {
                yield return new("must be at least 00:00:01", [name]);
            }
        }

        if (AuthorizationCodeLifetime < TimeSpan.FromSeconds(1) || AuthorizationCodeLifetime > TimeSpan.FromMinutes(10))
        {
            yield return new("must be between 00:00:01 and 00:10:00", [nameof(AuthorizationCodeLifetime)]);
        }

        if (!string.IsNullOrEmpty(LoginPageUrl) && !(Uri.TryCreate(LoginPageUrl, UriKind.Absolute, out var page) && (page.Scheme == Uri.UriSchemeHttps || page.Scheme == Uri.UriSchemeHttp) && page.Query.Length == 0 && page.Fragment.Length == 0))
        {
            yield return new("must be an absolute http(s) URL without query or fragment", [nameof(LoginPageUrl)]);
        }

        if (KeyActivationDelay < TimeSpan.Zero || KeyActivationDelay > TimeSpan.FromDays(30))
        {
            yield return new("must be between 00:00:00 and 30.00:00:00", [nameof(KeyActivationDelay)]);
        }

        if (!IsPublicBaseUrl(Issuer))
        {
            yield return new("must be the service's absolute http(s) base URL without a trailing slash, e.g. https://app.azurewebsites.net", [nameof(Issuer)]);
        }

        if (!string.IsNullOrEmpty(SigningKey))
        {
            using var key = Tokens.SigningKey.TryReadPkcs8Pem(SigningKey);
            if (key is null)
            {
                yield return new("must be a PKCS#8 PEM of an ECDSA P-256 private key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)", [nameof(SigningKey)]);
            }
        }
    }

    private static bool IsPublicBaseUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !value.EndsWith('/')
        && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0;
}
