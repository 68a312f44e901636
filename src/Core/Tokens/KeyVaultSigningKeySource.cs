using System.Collections.Concurrent;
using Azure;
using Azure.Security.KeyVault.Secrets;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Tokens;

/// <summary>
/// Each enabled version of the Key Vault secret is a key. Secret versions are immutable, so a version's value is
/// fetched once; each reload costs one listing plus one read per version not seen before.
/// </summary>
public sealed class KeyVaultSigningKeySource(
    SecretClient client,
    IOptions<KeyVaultOptions> options,
    TimeProvider time,
    ILogger<KeyVaultSigningKeySource> logger) : ISigningKeySource
{
    private readonly ConcurrentDictionary<string, SigningKey?> _versions = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<SigningKey>> LoadAsync(CancellationToken cancellationToken)
    {
        var name = options.Value.SigningKeySecretName;
        var now = time.GetUtcNow();
        var keys = new List<SigningKey>();
        await foreach (var version in client.GetPropertiesOfSecretVersionsAsync(name, cancellationToken))
        {
            if (version.Enabled != true || version.Version is null
                || version.NotBefore > now || version.ExpiresOn <= now)
            {
                continue;
            }

            if (!_versions.TryGetValue(version.Version, out var key))
            {
                key = await FetchAsync(name, version, cancellationToken);
                _versions[version.Version] = key;
            }

            if (key is not null)
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private async Task<SigningKey?> FetchAsync(string name, SecretProperties version, CancellationToken cancellationToken)
    {
        KeyVaultSecret secret;
        try
        {
            secret = await client.GetSecretAsync(name, version.Version, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 403)
        {
            // Disabled between listing and reading: not a key, and not an outage.
            return null;
        }

        var key = SigningKey.TryReadPkcs8Pem(secret.Value);
        if (key is null)
        {
            // Not a PKCS#8 P-256 private key (an HS256 secret of an older release, say): never a key, never logged.
            AuthLog.SigningKeyVersionIgnored(logger, version.Version);
            return null;
        }

        // The creation time starts the activation delay; a version without one is treated as long established.
        return new SigningKey(version.Version, key, version.CreatedOn ?? DateTimeOffset.MinValue);
    }
}
