namespace FuncAuth.Core.OAuth;

/// <summary>One registered public client. Every client uses PKCE with S256; none has a secret.</summary>
public sealed class OAuthClient
{
    public string ClientId { get; set; } = "";

    /// <summary>What the sign-in page shows the user.</summary>
    public string Name { get; set; } = "";

    /// <summary>Comma-separated, each matched exactly (RFC 9700 §4.1.3: no patterns, no prefixes).</summary>
    public string? RedirectUris { get; set; }

    /// <summary>The operator's own app: the sign-in page asks no consent.</summary>
    public bool FirstParty { get; set; }

    public IReadOnlyList<string> RedirectUriList =>
        (RedirectUris ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Exact, ordinal comparison with a registered redirect URI.</summary>
    public bool Registers(string? redirectUri) =>
        redirectUri is not null && RedirectUriList.Contains(redirectUri, StringComparer.Ordinal);

    internal static bool IsClientId(string? value) =>
        value is { Length: > 0 and <= 64 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>
    /// https anywhere; http only on a loopback host (RFC 8252 §7.3); a private-use scheme with a dot for native apps
    /// (RFC 8252 §7.1); never a fragment (RFC 6749 §3.1.2) or user info.
    /// </summary>
    internal static bool IsRedirectUri(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Fragment.Length > 0 || value.Contains('#', StringComparison.Ordinal) || uri.UserInfo.Length > 0)
        {
            return false;
        }

        return uri.Scheme switch
        {
            "https" => true,
            "http" => uri.IsLoopback,
            "javascript" or "data" or "file" or "vbscript" => false,
            var scheme => scheme.Contains('.', StringComparison.Ordinal),
        };
    }
}
