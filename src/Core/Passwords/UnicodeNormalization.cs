using System.Text;

namespace FuncAuth.Core.Passwords;

/// <summary>
/// Passwords are compared after NFKC normalisation, which .NET does through ICU. Under invariant globalization
/// <see cref="string.Normalize(NormalizationForm)"/> returns non-ASCII text unchanged, silently, so the program checks
/// at start that normalisation really works and refuses to start otherwise.
/// </summary>
public static class UnicodeNormalization
{
    /// <summary>True when a decomposed and a composed spelling, and a compatibility character, normalise alike.</summary>
    public static bool Works()
    {
        try
        {
            return "cafe\u0301".Normalize(NormalizationForm.FormKC) == "caf\u00e9"
                && "\uFB01".Normalize(NormalizationForm.FormKC) == "fi";
        }
        catch (PlatformNotSupportedException)
        {
            return false;
        }
    }
}
