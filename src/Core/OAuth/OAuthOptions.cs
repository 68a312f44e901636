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
