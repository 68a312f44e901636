using System.Security.Cryptography;
using System.Text;

namespace FuncAuth.Core.Accounts;

/// <summary>Email syntax check, normalisation and the storage key derived from it.</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    /// <summary>The form two addresses are compared in: trimmed, NFC, lower case.</summary>
    public static string Normalize(string email) =>
        email.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();

    public static bool IsValid(string email)
    {
        if (email.Length is 0 or > MaxLength || !TextRules.IsWellFormed(email))
        {
            return false;
        }

        // MailAddress also accepts display names and comments ("Ann <a@b.c>"); only a bare address is an email here.
        if (!System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
        {
            return false;
        }

        var at = email.LastIndexOf('@');
        return at is > 0 and <= 64 && email.AsSpan(at + 1).IndexOfAny(" \t") < 0;
    }

    /// <summary>
    /// Table key of an address: a hash, because table keys forbid characters that addresses may contain
    /// ('/', '#', '?') and because keys show up in logs and metrics where the address itself should not.
    /// </summary>
    public static string StorageKey(string normalizedEmail) =>
        Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedEmail)));
}
