using System.Text;

namespace FuncAuth.Core.Accounts;

internal static class TextRules
{
    /// <summary>
    /// Valid UTF-16 (no lone surrogates), no control characters and no invisible formatting characters (Unicode
    /// category Cf: zero-width space, joiner and non-joiner, word joiner, byte-order mark, soft hyphen, and the bidi
    /// controls such as U+202E RIGHT-TO-LEFT OVERRIDE and U+2066..U+2069 isolates). Those make a name or an address
    /// show as something it is not: an admin reading a list, or a user reading an email, would be misled (API-v3 §0).
    /// </summary>
    public static bool IsWellFormed(string value)
    {
        foreach (var rune in EnumerateRunesStrict(value))
        {
            if (rune is null || Rune.IsControl(rune.Value) || Rune.GetUnicodeCategory(rune.Value) == System.Globalization.UnicodeCategory.Format)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Valid UTF-16; control characters allowed (passwords may contain anything printable or not).</summary>
    public static bool IsValidUtf16(string value) => EnumerateRunesStrict(value).All(r => r is not null);

    private static IEnumerable<Rune?> EnumerateRunesStrict(string value)
    {
        var index = 0;
        while (index < value.Length)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                yield return null;
                yield break;
            }

            yield return rune;
            index += consumed;
        }
    }
}
