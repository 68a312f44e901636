using System.Text;
using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Passwords;

/// <summary>
/// The password rules docs/api.md adds to v1's length rule: not one of the 10,000 most common passwords, and not
/// containing the email's local part when that is 4 characters or more (ignoring case). Both are checked on the
/// NFKC form, the form passwords are hashed in. Every place that sets a password (sign-up, reset, change) uses these.
/// </summary>
public static class PasswordRules
{
    public const int MinLocalPartLength = 4;

    public const string CommonMessage = "Password is one of the 10,000 most common passwords; choose another.";
    public const string LocalPartMessage = "Password must not contain the part of the email address before the @.";

    /// <summary>
    /// The validation errors for a new password found in a data breach, or null when it was not found, the check could
    /// not be made, or none is registered. Called after the other rules passed, so a refused password costs no request.
    /// </summary>
    internal static async Task<IReadOnlyDictionary<string, string[]>?> RefuseAsync(this BreachedPasswords? breaches, string password, CancellationToken cancellationToken) =>
        breaches is not null && await breaches.IsBreachedAsync(password, cancellationToken)
            ? new Dictionary<string, string[]> { ["password"] = [BreachedPasswords.Message] }
            : null;

    /// <summary>What is wrong with the password, if anything. Expects text that is valid UTF-16.</summary>
    public static IEnumerable<string> Check(string password, string? email)
    {
        var normalized = password.Normalize(NormalizationForm.FormKC);
        if (CommonPasswords.Contains(normalized))
        {
            yield return CommonMessage;
        }

        var at = email?.LastIndexOf('@') ?? -1;
        if (at >= MinLocalPartLength && TextRules.IsValidUtf16(email!))
        {
            var localPart = email![..at].Trim().Normalize(NormalizationForm.FormKC);
            if (localPart.Length >= MinLocalPartLength && normalized.Contains(localPart, StringComparison.OrdinalIgnoreCase))
            {
                yield return LocalPartMessage;
            }
        }
    }
}
