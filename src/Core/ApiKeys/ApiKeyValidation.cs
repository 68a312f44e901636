using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.ApiKeys;

/// <summary>Field rules of API-key creation, and the scope strings of keys and client_credentials requests.</summary>
internal static class ApiKeyValidation
{
    public const int NameMaxLength = 100;

    /// <summary>A space-separated scope as roles (RFC 6749 §3.3), or null when it names something that is not a role.</summary>
    public static IReadOnlyList<string>? ParseScope(string scope)
    {
        var parts = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 0 || !parts.All(Roles.IsKnown) ? null : Roles.Canonical(parts);
    }

    public static string FormatScope(IEnumerable<string> roles) => string.Join(' ', roles);

    public static IReadOnlyDictionary<string, string[]> Create(
        string? name, int? expiresInDays, string? scope, IReadOnlyList<string> ownerRoles, int maxLifetimeDays, out IReadOnlyList<string> roles)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["Name is required."];
        }
        else if (name.Length > NameMaxLength || !TextRules.IsWellFormed(name))
        {
            errors["name"] = [$"Name must be at most {NameMaxLength} characters, without control characters."];
        }

        if (expiresInDays is { } days && (days < 1 || days > maxLifetimeDays))
        {
            errors["expiresInDays"] = [$"expiresInDays must be between 1 and {maxLifetimeDays}."];
        }

        roles = [];
        if (scope is not null && ParseScope(scope) is not { } parsed)
        {
            errors["scope"] = [$"Scope must be a space-separated list of roles ({string.Join(", ", Roles.Known)})."];
        }
        else
        {
            roles = scope is null ? [Roles.User] : ParseScope(scope)!;
            var missing = roles.Where(r => !ownerRoles.Contains(r, StringComparer.Ordinal)).ToArray();
            if (missing.Length > 0)
            {
                errors["scope"] = [$"A key cannot hold a role its owner lacks: {string.Join(", ", missing)}."];
            }
        }

        return errors;
    }
}
