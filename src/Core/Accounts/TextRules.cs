using System.Text;

namespace FuncAuth.Core.Accounts;

internal static class TextRules
{
    private const int ZeroWidthNonJoiner = 0x200C;
    private const int ZeroWidthJoiner = 0x200D;

    /// <summary>
    /// Valid UTF-16 (no lone surrogates), no control characters and no invisible formatting characters (Unicode
    /// category Cf: zero-width space, joiner and non-joiner, word joiner, byte-order mark, soft hyphen, and the bidi
    /// controls such as U+202E RIGHT-TO-LEFT OVERRIDE and U+2066..U+2069 isolates). Those make a name or an address
    /// show as something it is not: an admin reading a list, or a user reading an email, would be misled (docs/api.md).
    /// Two exceptions: a zero-width joiner between two emoji, which is how emoji sequences such as 👩🏽‍💻 are
    /// written (Unicode TS #51) and shows as one picture; and a joiner or non-joiner between letters of a script that
    /// spells words with them (Persian "می‌خواهم", Devanagari conjuncts after a virama), which is ordinary writing
    /// there. Between Latin, Greek or Cyrillic letters, where nobody writes them, they stay refused.
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
                && !(i > 0 && i + 1 < runes.Length && IsJoinerInWord(rune, runes[i - 1], runes[i + 1])))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsJoinerInWord(Rune joiner, Rune? before, Rune? after) => joiner.Value switch
    {
        ZeroWidthJoiner when IsEmoji(before) && IsEmoji(after) => true,
        ZeroWidthJoiner or ZeroWidthNonJoiner => IsJoiningScriptLetter(before, allowMark: true) && IsJoiningScriptLetter(after, allowMark: false),
        _ => false,
    };

    // A letter (or, before the joiner, a combining mark such as a virama) beyond the Latin, Greek and Cyrillic blocks.
    private static bool IsJoiningScriptLetter(Rune? rune, bool allowMark) =>
        rune is { Value: >= 0x0530 } r
        && (Rune.IsLetter(r) || (allowMark && Rune.GetUnicodeCategory(r) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark));

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
