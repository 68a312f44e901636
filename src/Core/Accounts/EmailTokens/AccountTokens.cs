using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Core.Accounts.EmailTokens;

/// <summary>
/// Verification and reset tokens: <c>purpose.userId.expires.kid.mac</c>, mac = HMAC-SHA256 under a key derived from
/// signing-key version <c>kid</c>, over the rest and the account's current state: its security stamp, a fingerprint of
/// its password hash and its address (and, for verification, that it is still unverified). Nothing is stored that
/// could mint one; setting the password changes the state, so every outstanding token of the user dies with it, and
/// a used token's own effect (a new password, a verified address) makes it invalid: single use.
/// </summary>
internal static class AccountTokens
{
    private const int MaxLength = 200;

    public static string Create(AccountTokenPurpose purpose, UserEntity user, DateTimeOffset expiresAt, SigningKey key)
    {
        var payload = Payload(purpose, user.UserId, expiresAt.ToUnixTimeSeconds(), key.Id);
        return payload + "." + Base64Url.Encode(Mac(payload, user, purpose, key));
    }

    /// <summary>The parts of a well-formed token of the purpose, or null. The MAC is not checked here.</summary>
    public static AccountTokenParts? Parse(string? token, AccountTokenPurpose purpose)
    {
        if (token is null || token.Length > MaxLength)
        {
            return null;
        }

        var fields = token.Split('.');
        if (fields.Length != 5 || fields[0] != Prefix(purpose) || !Ids.IsValid(fields[1])
            || fields[2].Length is 0 or > 12 || !fields[2].All(char.IsAsciiDigit)
            || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || fields[3].Length is 0 or > 64 || Base64Url.TryDecode(fields[4]) is not { Length: 32 } mac)
        {
            return null;
        }

        return new(purpose, fields[1], DateTimeOffset.FromUnixTimeSeconds(expires), fields[3], mac);
    }

    /// <summary>True when the MAC matches the account as it is now, under the key the token names.</summary>
    public static bool Matches(AccountTokenParts parts, UserEntity user, SigningKey key)
    {
        if (parts.Purpose == AccountTokenPurpose.VerifyEmail && user.EmailVerified)
        {
            return false;
        }

        var payload = Payload(parts.Purpose, parts.UserId, parts.ExpiresAt.ToUnixTimeSeconds(), parts.KeyId);
        return CryptographicOperations.FixedTimeEquals(parts.Mac, Mac(payload, user, parts.Purpose, key));
    }

    private static string Prefix(AccountTokenPurpose purpose) => purpose == AccountTokenPurpose.VerifyEmail ? "v" : "r";

    private static string Payload(AccountTokenPurpose purpose, string userId, long expires, string keyId) =>
        string.Join('.', Prefix(purpose), userId, expires.ToString(CultureInfo.InvariantCulture), keyId);

    private static byte[] Mac(string payload, UserEntity user, AccountTokenPurpose purpose, SigningKey key)
    {
        var passwordFingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user.PasswordHash)));
        var state = string.Join('\n', payload, user.SecurityStamp, passwordFingerprint, EmailAddress.Normalize(user.Email), purpose == AccountTokenPurpose.VerifyEmail ? "unverified" : "");
        return HMACSHA256.HashData(AccountTokenKey.Derive(key), Encoding.UTF8.GetBytes(state));
    }
}
