using System.Text;

namespace FuncAuth.Core.Accounts;

internal static class TextRules
{
    /// <summary>Valid UTF-16 (no lone surrogates) and no control characters.</summary>
    public static bool IsWellFormed(string value)
    {
        foreach (var rune in EnumerateRunesStrict(value))
        {
            if (rune is null || Rune.IsControl(rune.Value))
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
