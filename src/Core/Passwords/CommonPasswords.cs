using System.Reflection;

namespace FuncAuth.Core.Passwords;

/// <summary>
/// The 10,000 most common passwords, from the frequency-ranked password list the zxcvbn-core package ships (the list of
/// the zxcvbn project, most common first, lower case). Matching ignores case: "Password123" is as guessable as
/// "password123".
/// </summary>
public static class CommonPasswords
{
    public const int Count = 10_000;
    private const string Resource = "zxcvbn-core.Dictionaries.passwords.lst";

    private static readonly Lazy<HashSet<string>> Set = new(Load);

    public static bool Contains(string password) => Set.Value.Contains(password.ToLowerInvariant());

    /// <summary>Loads the list now rather than on the first sign-up (the program calls this while starting).</summary>
    public static int Warm() => Set.Value.Count;

    private static HashSet<string> Load()
    {
        using var stream = typeof(Zxcvbn.Zxcvbn).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The zxcvbn-core package no longer carries {Resource}.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(Count, StringComparer.Ordinal);
        while (set.Count < Count && reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line.ToLowerInvariant());
            }
        }

        return set.Count == Count ? set : throw new InvalidOperationException($"{Resource} holds fewer than {Count} passwords.");
    }
}
