using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Security.KeyVault.Secrets;
using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Mfa;

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
