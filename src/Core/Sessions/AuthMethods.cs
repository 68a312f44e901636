namespace FuncAuth.Core.Sessions;

/// <summary>
/// Authentication method references (RFC 8176) a session records as <c>amr</c>: what was proved in it. Kept as a set
/// in a fixed order, so the same proofs always give the same claim.
/// </summary>
public static class AuthMethods
{
    /// <summary>A password.</summary>
    public const string Password = "pwd";

    /// <summary>A one-time code: TOTP or a recovery code.</summary>
    public const string OneTimeCode = "otp";

    /// <summary>A hardware-bound key (a passkey).</summary>
    public const string HardwareKey = "hwk";

    /// <summary>Two factors were proved (or one user-verified passkey).</summary>
    public const string MultiFactor = "mfa";

    private static readonly string[] Order = [Password, OneTimeCode, HardwareKey, MultiFactor];

    /// <summary>What a password login proves.</summary>
    public static IReadOnlyList<string> PasswordOnly { get; } = [Password];

    /// <summary>What a password followed by a TOTP or recovery code proves.</summary>
    public static IReadOnlyList<string> PasswordAndCode { get; } = [Password, OneTimeCode, MultiFactor];

    /// <summary>The known methods of <paramref name="methods"/> in the fixed order, each once. Unknown values are dropped.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> methods)
    {
        var set = methods.ToHashSet(StringComparer.Ordinal);
        return Order.Where(set.Contains).ToArray();
    }

    /// <summary>
    /// The methods of a session after a further proof: the union, with <see cref="MultiFactor"/> added when it now holds
    /// two different factors (a knowledge factor, <c>pwd</c>, and a possession factor, <c>otp</c> or <c>hwk</c>).
    /// </summary>
    public static IReadOnlyList<string> Merge(IEnumerable<string> current, IEnumerable<string> proved)
    {
        var all = current.Concat(proved).ToHashSet(StringComparer.Ordinal);
        if (all.Contains(Password) && (all.Contains(OneTimeCode) || all.Contains(HardwareKey)))
        {
            all.Add(MultiFactor);
        }

        return Normalize(all);
    }

    /// <summary>The stored form: space-separated, as OAuth lists values.</summary>
    public static string Format(IEnumerable<string> methods) => string.Join(' ', Normalize(methods));

    /// <summary>
    /// The stored form read back. Empty (a session stored before methods were recorded) is a password proof: every
    /// session before that was opened by one.
    /// </summary>
    public static IReadOnlyList<string> Parse(string? stored) =>
        string.IsNullOrWhiteSpace(stored) ? PasswordOnly : Normalize(stored.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
