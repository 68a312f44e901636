using System.Collections.Concurrent;
using Azure;
using Azure.Security.KeyVault.Secrets;

namespace FuncAuth.Core.Mfa;

/// <summary>
/// The keys in Azure Key Vault: each version of the secret <c>KeyVault__MfaKeySecretName</c> (default
/// <c>mfa-encryption-key</c>) is one key, its value 32 random bytes in base64. The latest version encrypts; any enabled
/// version decrypts. Versions are immutable, so each is read once per instance.
/// </summary>
internal sealed class KeyVaultMfaKeySource(SecretClient client, string secretName, TimeProvider time) : IMfaKeySource
{
    private static readonly TimeSpan CurrentFor = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, MfaKey> _versions = new(StringComparer.Ordinal);
    private (MfaKey Key, DateTimeOffset ReadAt)? _current;

    public async Task<MfaKey> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetUtcNow() - current.ReadAt < CurrentFor)
        {
            return current.Key;
        }

        KeyVaultSecret secret = await client.GetSecretAsync(secretName, cancellationToken: cancellationToken);
        var key = Parse(secret);
        _versions[key.Id] = key;
        _current = (key, time.GetUtcNow());
        return key;
    }

    public async Task<MfaKey?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue(id, out var known))
        {
            return known;
        }

        try
        {
            KeyVaultSecret secret = await client.GetSecretAsync(secretName, id, cancellationToken);
            var key = Parse(secret);
            _versions[key.Id] = key;
            return key;
        }
        catch (RequestFailedException e) when (e.Status is 403 or 404)
        {
            // Disabled or deleted: secrets under it are unreadable, which is what disabling a version means.
            return null;
        }
    }

    private static MfaKey Parse(KeyVaultSecret secret)
    {
        var bytes = TryBase64(secret.Value);
        return bytes is { Length: 32 } && secret.Properties.Version is { Length: > 0 } version
            ? new MfaKey(version, bytes)
            : throw new InvalidOperationException("The MFA key secret must hold 32 random bytes in base64 (openssl rand -base64 32).");
    }

    private static byte[]? TryBase64(string value)
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
