namespace FuncAuth.Core.Accounts;

/// <summary>
/// A user as the API shows it. <paramref name="MfaEnabled"/>: the account has a second factor, so a sign-in with the
/// password alone is not complete and a step-up that asks for one needs <c>mfa</c> in the session's <c>amr</c>.
/// </summary>
public sealed record UserAccount(
    string Id, string Email, string? Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, bool EmailVerified = false, bool Disabled = false,
    bool MfaEnabled = false);
