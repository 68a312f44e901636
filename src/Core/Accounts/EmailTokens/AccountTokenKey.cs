using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Core.Accounts.EmailTokens;

/// <summary>
/// The one place where the MAC key of verification and reset tokens is derived from a signing-key version. Keep it
/// here: when the signing material changes, this is the seam to re-point.
/// </summary>
internal static class AccountTokenKey
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("funcauth/account-token/v1");

    public static byte[] Derive(SigningKey key) => HMACSHA256.HashData(key.Material, Label);
}
