using System.Security.Cryptography;

namespace FuncAuth.Core.Accounts;

/// <summary>User, session and access-token ids: 128 random bits as 32 lower-case hex digits.</summary>
internal static class Ids
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsValid(string value) => value.Length == 32 && value.All(char.IsAsciiHexDigitLower);
}
