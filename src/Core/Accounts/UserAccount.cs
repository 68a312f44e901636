namespace FuncAuth.Core.Accounts;

/// <summary>A user as the API shows it.</summary>
public sealed record UserAccount(
    string Id, string Email, string? Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, bool EmailVerified = false, bool Disabled = false);
