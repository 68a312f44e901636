namespace FuncAuth.Core.Accounts;

/// <summary>The roles FuncAuth knows.</summary>
public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";

    public static IReadOnlyList<string> Known { get; } = [User, Admin];

    public static bool IsKnown(string role) => role is User or Admin;

    /// <summary>Distinct, in the order of <see cref="Known"/>, so stored and issued role lists are stable.</summary>
    public static IReadOnlyList<string> Canonical(IEnumerable<string> roles)
    {
        var set = roles.ToHashSet(StringComparer.Ordinal);
        return Known.Where(set.Contains).ToArray();
    }
}
