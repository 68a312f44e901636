using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Tokens;

/// <summary>
/// A refresh token is <c>userId.sessionId.counter.kid.mac</c>, where mac = HMAC-SHA256 (256 bits) over the rest under a
/// key derived from signing-key version <c>kid</c>. Nothing is stored that could mint one: the session keeps only
/// the counter, so the server can recompute the current token (reuse grace) and recognise older ones (reuse
/// detection), and a leaked table is no use without the Key Vault key.
/// </summary>
internal static class RefreshTokens
{
    private const int MaxLength = 256;

    public static string Create(RefreshTokenParts parts, SigningKey key) =>
        string.Concat(Payload(parts), ".", Base64Url.Encode(Mac(Payload(parts), key)));

    /// <summary>The token's parts if it is well formed and its MAC verifies under one of the keys; otherwise null.</summary>
    public static RefreshTokenParts? Verify(string? token, SigningKeySet keys)
    {
        if (token is null || token.Length > MaxLength)
        {
            return null;
        }

        var fields = token.Split('.');
        if (fields.Length != 5 || !Ids.IsValid(fields[0]) || !Ids.IsValid(fields[1]) || !IsCounter(fields[2], out var counter))
        {
            return null;
        }

        var key = keys.Find(fields[3]);
        var mac = Base64Url.TryDecode(fields[4]);
        if (key is null || mac is null)
        {
            return null;
        }

        var parts = new RefreshTokenParts(fields[0], fields[1], counter, fields[3]);
        return CryptographicOperations.FixedTimeEquals(mac, Mac(Payload(parts), key)) ? parts : null;
    }

    /// <summary>The signing-key version a well-formed token names, or null.</summary>
    public static string? KeyIdOf(string? token) =>
        token is { Length: <= MaxLength } && token.Split('.') is { Length: 5 } fields ? fields[3] : null;

    private static bool IsCounter(string value, out long counter)
    {
        counter = 0;
        return value.Length is > 0 and <= 18 && value.All(char.IsAsciiDigit)
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out counter);
    }

    private static string Payload(RefreshTokenParts parts) =>
        string.Join('.', parts.UserId, parts.SessionId, parts.Counter.ToString(CultureInfo.InvariantCulture), parts.KeyId);

    private static byte[] Mac(string payload, SigningKey key) => HMACSHA256.HashData(key.RefreshTokenKey, Encoding.ASCII.GetBytes(payload));
}
