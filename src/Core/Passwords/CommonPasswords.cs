using System.Collections.Frozen;

namespace FuncAuth.Core.Passwords;

/// <summary>
/// The 10,000 most common passwords: the first 10,000 of the frequency-ranked list of the npm package
/// @zxcvbn-ts/language-common (MIT), kept in <c>common-passwords.txt</c> beside this file, whose header names the
/// release and carries the licence. Embedded in this assembly (about 80 KB), read on first use into a frozen set.
/// Matching ignores case: "Password123" is as guessable as "password123".
/// </summary>
public static class CommonPasswords
{
    public const int Count = 10_000;
    private const string Resource = "FuncAuth.Core.Passwords.common-passwords.txt";

    private static readonly Lazy<FrozenSet<string>> Set = new(Load);

    public static bool Contains(string password) => Set.Value.Contains(password.ToLowerInvariant());

    /// <summary>Loads the list now rather than on the first password check; returns how many passwords it holds.</summary>
    public static int Warm() => Set.Value.Count;

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"{Resource} is not embedded in {typeof(CommonPasswords).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var passwords = new List<string>(Count);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                passwords.Add(line.ToLowerInvariant());
            }
        }

        var set = passwords.ToFrozenSet(StringComparer.Ordinal);
        return set.Count == Count ? set : throw new InvalidOperationException($"{Resource} holds {set.Count} distinct passwords, not {Count}.");
    }
}
