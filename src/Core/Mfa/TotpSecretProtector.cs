using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Security.KeyVault.Secrets;
using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Mfa;

/// <summary>One version of the key that encrypts TOTP secrets: 256 bits for AES-GCM.</summary>
internal sealed record MfaKey(string Id, byte[] Key);

/// <summary>Where the TOTP-secret keys come from: a dedicated Key Vault secret, or a local stand-in.</summary>
internal interface IMfaKeySource
{
    /// <summary>The key new secrets are encrypted under.</summary>
    Task<MfaKey> CurrentAsync(CancellationToken cancellationToken);

    /// <summary>The key of version <paramref name="id"/>, or null when there is no such (enabled) version.</summary>
    Task<MfaKey?> FindAsync(string id, CancellationToken cancellationToken);
}

/// <summary>
/// Encrypts TOTP secrets at rest with AES-256-GCM (.NET's own <see cref="AesGcm"/>) under a key that is not in the
/// tables and is not the signing key: a copy of the tables yields nothing, and rotating the signing key changes nothing
/// here. The stored form names the key version (<c>v1.&lt;key id&gt;.&lt;nonce|ciphertext|tag&gt;</c>), so a new
/// version of the key encrypts new secrets while the old versions still read old ones. The user id is the associated
/// data: a ciphertext copied to another account's row does not decrypt.
/// </summary>
public sealed class TotpSecretProtector
{
    private const string Format = "v1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly IMfaKeySource keys;

    // Internal, and so built by the registration's factory: the key source is Key Vault's or the development key.
    internal TotpSecretProtector(IMfaKeySource keys) => this.keys = keys;

    internal async Task<string> ProtectAsync(string userId, byte[] secret, CancellationToken cancellationToken)
    {
        var key = await keys.CurrentAsync(cancellationToken);
        var sealedBytes = new byte[NonceBytes + secret.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Key, TagBytes);
        aes.Encrypt(nonce, secret, sealedBytes.AsSpan(NonceBytes, secret.Length), sealedBytes.AsSpan(NonceBytes + secret.Length), Encoding.UTF8.GetBytes(userId));
        return $"{Format}.{key.Id}.{Base64Url.Encode(sealedBytes)}";
    }

    /// <summary>The secret, or null when the stored value is not one this service made for this user (or its key is gone).</summary>
    internal async Task<byte[]?> UnprotectAsync(string userId, string stored, CancellationToken cancellationToken)
    {
        var parts = stored.Split('.');
        if (parts.Length != 3 || parts[0] != Format || Base64Url.TryDecode(parts[2]) is not { Length: > NonceBytes + TagBytes } sealedBytes)
        {
            return null;
        }

        var key = await keys.FindAsync(parts[1], cancellationToken);
        if (key is null)
        {
            return null;
        }

        var length = sealedBytes.Length - NonceBytes - TagBytes;
        var secret = new byte[length];
        try
        {
            using var aes = new AesGcm(key.Key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, length), sealedBytes.AsSpan(NonceBytes + length), secret, Encoding.UTF8.GetBytes(userId));
            return secret;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}

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

/// <summary>
/// The local stand-in for development and tests (no <c>KeyVault__Uri</c>): one key, from <c>Auth__MfaKey</c> (32 bytes in
/// base64) when set, else derived from the development signing key (<c>Auth__SigningKey</c>, which the local run keeps in
/// <c>.azurite/</c>) so secrets survive a restart, else random per process.
/// </summary>
internal sealed class DevelopmentMfaKeySource : IMfaKeySource
{
    private const string Id = "dev";
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("funcauth/mfa-secret-key/v1");
    private readonly MfaKey _key;

    public DevelopmentMfaKeySource(string? configuredKey, string? developmentSigningKey)
    {
        var bytes = !string.IsNullOrEmpty(configuredKey) ? Convert.FromBase64String(configuredKey)
            : !string.IsNullOrEmpty(developmentSigningKey) ? HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(developmentSigningKey), 32, info: Label)
            : RandomNumberGenerator.GetBytes(32);
        if (bytes.Length != 32)
        {
            throw new InvalidOperationException("Auth__MfaKey must be 32 bytes in base64.");
        }

        _key = new MfaKey(Id, bytes);
    }

    public Task<MfaKey> CurrentAsync(CancellationToken cancellationToken) => Task.FromResult(_key);

    public Task<MfaKey?> FindAsync(string id, CancellationToken cancellationToken) => Task.FromResult(id == Id ? _key : null);
}
