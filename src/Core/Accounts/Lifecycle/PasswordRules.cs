namespace FuncAuth.Core.Accounts.Lifecycle;

/// <summary>The password fields of a request that sets a new password: the sign-up rules, for the account's address.</summary>
internal static class PasswordRules
{
    public static IReadOnlyDictionary<string, string[]> NewPassword(string? email, string? password, string? passwordConfirmation)
    {
        var all = Validation.Signup(email ?? "", password, passwordConfirmation, name: null);
        return all.Where(e => e.Key is "password" or "passwordConfirmation").ToDictionary(e => e.Key, e => e.Value);
    }
}
