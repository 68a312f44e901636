using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.ApiKeys;

/// <summary>
/// The key a client holds: <c>fa_&lt;id&gt;_&lt;secret&gt;</c>. The id is the owner's user id (32 hex digits) followed by
/// 16 random hex digits, so the key locates its own table row (owner's partition, key row) with one point read. The
/// secret is 32 bytes (256 bits) from the operating system's CSPRNG, base64url without padding (43 characters).
/// </summary>
internal static class ApiKeyFormat
{
    public const string Prefix = "fa_";
    public const int SecretBytes = 32;
    public const int IdLength = 48;
    private const int SecretLength = 43;
    public const int KeyLength = 3 + IdLength + 1 + SecretLength;

    /// <summary>A new key id for the user and a new key; the caller keeps only the key's digest.</summary>
    public static (string Id, string Key) New(string userId)
    {
        var id = userId + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return (id, Prefix + id + "_" + Base64Url.Encode(RandomNumberGenerator.GetBytes(SecretBytes)));
    }

    public static bool IsValidId(string? id) => id is { Length: IdLength } && id.All(char.IsAsciiHexDigitLower);

    /// <summary>The owner's user id, taken from a key id of the valid form.</summary>
    public static string OwnerOf(string id) => id[..32];

    /// <summary>The key id of a key of exactly the issued form, else null. Never throws, whatever the input.</summary>
    public static string? TryParseId(string? key)
    {
        if (key is not { Length: KeyLength } || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + IdLength] != '_')
        {
            return null;
        }

        var id = key.Substring(Prefix.Length, IdLength);
        var secret = key.AsSpan(Prefix.Length + IdLength + 1);
        foreach (var c in secret)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return null;
            }
        }

        return IsValidId(id) ? id : null;
    }

    /// <summary>
    /// SHA-256 of the whole key. A fast, unsalted hash is the right tool here, unlike for passwords: the secret is 256
    /// random bits, so there is no dictionary to try and no brute force within reach, and salting or stretching would
    /// only add cost to every request. What matters is that the table holds nothing that authenticates.
    /// </summary>
    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
