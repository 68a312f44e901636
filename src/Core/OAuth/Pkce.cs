using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace FuncAuth.Core.OAuth;

/// <summary>Proof Key for Code Exchange (RFC 7636), S256 only: <c>plain</c> gives an eavesdropper the verifier.</summary>
public static class Pkce
{
    public const string S256 = "S256";

    /// <summary>A challenge as S256 makes it: 43 base64url characters (32 bytes).</summary>
    public static bool IsChallenge(string? value) => value is { Length: 43 } && value.All(IsBase64Url);

    /// <summary>A verifier of RFC 7636 §4.1: 43 to 128 unreserved characters.</summary>
    public static bool IsVerifier(string? value) =>
        value is { Length: >= 43 and <= 128 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>BASE64URL(SHA256(verifier)) equals the challenge, compared in constant time.</summary>
    public static bool Verifies(string? verifier, string challenge)
    {
        if (!IsVerifier(verifier))
        {
            return false;
        }

        var computed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier!)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }

    private static bool IsBase64Url(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
