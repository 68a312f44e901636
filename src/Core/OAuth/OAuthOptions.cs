using System.ComponentModel.DataAnnotations;

namespace FuncAuth.Core.OAuth;

/// <summary>The registered OAuth clients and the password grant's switch (configuration section <c>OAuth</c>).</summary>
public sealed class OAuthOptions : IValidatableObject
{
    public const string Section = "OAuth";
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";

    /// <summary><c>OAuth__Clients__&lt;n&gt;__ClientId</c>, <c>__Name</c>, <c>__RedirectUris</c>, <c>__FirstParty</c>.</summary>
    public List<OAuthClient> Clients { get; set; } = [];

    /// <summary><c>enabled</c> (default, for clients built on password flows) or <c>disabled</c> (RFC 9700 §2.4).</summary>
    public string PasswordGrant { get; set; } = Enabled;

    public bool PasswordGrantEnabled => string.Equals(PasswordGrant, Enabled, StringComparison.OrdinalIgnoreCase);

    /// <summary>The registered client with this id (ordinal, exact), or null.</summary>
    public OAuthClient? Find(string? clientId) =>
        clientId is null ? null : Clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(PasswordGrant, Enabled, StringComparison.OrdinalIgnoreCase) && !string.Equals(PasswordGrant, Disabled, StringComparison.OrdinalIgnoreCase))
        {
            yield return new("must be enabled or disabled", [nameof(PasswordGrant)]);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Clients.Count; i++)
        {
            var client = Clients[i];
            var name = $"Clients:{i}";
            if (!OAuthClient.IsClientId(client.ClientId))
            {
                yield return new("must be 1 to 64 letters, digits, '.', '_' or '-'", [name + ":ClientId"]);
            }
            else if (!seen.Add(client.ClientId))
            {
                yield return new($"registers the client id {client.ClientId} a second time", [name + ":ClientId"]);
            }

            if (string.IsNullOrWhiteSpace(client.Name) || client.Name.Length > 100 || client.Name.Any(char.IsControl))
            {
                yield return new("must be a display name of 1 to 100 characters", [name + ":Name"]);
            }

            if (client.RedirectUriList.Count == 0)
            {
                yield return new("must list at least one redirect URI (comma-separated)", [name + ":RedirectUris"]);
            }

            foreach (var uri in client.RedirectUriList.Where(u => !OAuthClient.IsRedirectUri(u)))
            {
                yield return new(
                    $"{uri} is not an acceptable redirect URI: an absolute https URI, http only on a loopback host, or an app's private-use scheme; no fragment",
                    [name + ":RedirectUris"]);
            }
        }
    }
}

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
