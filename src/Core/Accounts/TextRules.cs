using System.Text;

namespace FuncAuth.Core.Accounts;

internal static class TextRules
{
    private const int ZeroWidthJoiner = 0x200D;

    /// <summary>
    /// Valid UTF-16 (no lone surrogates), no control characters and no invisible formatting characters (Unicode
    /// category Cf: zero-width space, joiner and non-joiner, word joiner, byte-order mark, soft hyphen, and the bidi
    /// controls such as U+202E RIGHT-TO-LEFT OVERRIDE and U+2066..U+2069 isolates). Those make a name or an address
    /// show as something it is not: an admin reading a list, or a user reading an email, would be misled (API-v3 §0).
    /// The one exception is a zero-width joiner between two emoji, which is how emoji sequences such as 👩🏽‍💻 are
    /// written (Unicode TS #51) and shows as one picture.
    /// </summary>
    public static bool IsWellFormed(string value)
    {
        var runes = EnumerateRunesStrict(value).ToArray();
        for (var i = 0; i < runes.Length; i++)
        {
            if (runes[i] is not { } rune || Rune.IsControl(rune))
            {
                return false;
            }

            if (Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.Format
                && !(rune.Value == ZeroWidthJoiner && i > 0 && i + 1 < runes.Length && IsEmoji(runes[i - 1]) && IsEmoji(runes[i + 1])))
            {
                return false;
            }
        }

        return true;
    }

    // The blocks emoji sequences are made of (pictographs, dingbats and miscellaneous symbols, skin-tone modifiers) and
    // the emoji presentation selector that may end an emoji before a joiner.
    private static bool IsEmoji(Rune? rune) =>
        rune?.Value is >= 0x1F000 and <= 0x1FAFF or >= 0x2600 and <= 0x27BF or >= 0x2B00 and <= 0x2BFF or 0xFE0F;

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
