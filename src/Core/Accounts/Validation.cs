namespace FuncAuth.Core.Accounts;

/// <summary>Field rules of the API; every broken rule is reported at once, keyed by the request's field name.</summary>
public static class Validation
{
    public const int PasswordMinLength = 8;
    public const int PasswordMaxLength = 128;
    public const int NameMaxLength = 100;

    public static IReadOnlyDictionary<string, string[]> Signup(string? email, string? password, string? passwordConfirmation, string? name)
    {
        var errors = new Errors();
        var trimmedEmail = email?.Trim();
        if (string.IsNullOrEmpty(trimmedEmail))
        {
            errors.Add("email", "Email is required.");
        }
        else if (!EmailAddress.IsValid(trimmedEmail))
        {
            errors.Add("email", $"Email must be a valid address of at most {EmailAddress.MaxLength} characters.");
        }

        AddNewPassword(errors, trimmedEmail, password, passwordConfirmation);

        if (name is not null && (name.Length > NameMaxLength || !TextRules.IsWellFormed(name)))
        {
            errors.Add("name", $"Name must be at most {NameMaxLength} characters, without control characters.");
        }

        return errors.Result;
    }

    /// <summary>
    /// The rules for a password being set (sign-up, reset, change): length, the common-password and email checks in
    /// NFKC form, and the confirmation. <paramref name="email"/> is the account's address, when known.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> NewPassword(string? email, string? password, string? passwordConfirmation)
    {
        var errors = new Errors();
        AddNewPassword(errors, email?.Trim(), password, passwordConfirmation);
        return errors.Result;
    }

    private static void AddNewPassword(Errors errors, string? trimmedEmail, string? password, string? passwordConfirmation)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add("password", "Password is required.");
        }
        else
        {
            if (!TextRules.IsValidUtf16(password))
            {
                errors.Add("password", "Password contains invalid characters.");
            }
            else if (password.Length < PasswordMinLength || password.Length > PasswordMaxLength)
            {
                errors.Add("password", $"Password must be {PasswordMinLength} to {PasswordMaxLength} characters long.");
            }
            else
            {
                foreach (var problem in Passwords.PasswordRules.Check(password, trimmedEmail))
                {
                    errors.Add("password", problem);
                }
            }

            // Normalising text that is not valid UTF-16 throws; such input was reported as invalid above.
            if (trimmedEmail is not null && TextRules.IsValidUtf16(password) && TextRules.IsValidUtf16(trimmedEmail)
                && EmailAddress.Normalize(password) == EmailAddress.Normalize(trimmedEmail))
            {
                errors.Add("password", "Password must not be the email address.");
            }
        }

        if (string.IsNullOrEmpty(passwordConfirmation))
        {
            errors.Add("passwordConfirmation", "Password confirmation is required.");
        }
        else if (!string.Equals(password, passwordConfirmation, StringComparison.Ordinal))
        {
            errors.Add("passwordConfirmation", "Password confirmation does not match the password.");
        }
    }

    public static IReadOnlyDictionary<string, string[]> Login(string? email, string? password)
    {
        var errors = new Errors();
        if (string.IsNullOrWhiteSpace(email))
        {
            errors.Add("email", "Email is required.");
        }
        else if (!TextRules.IsValidUtf16(email))
        {
            errors.Add("email", "Email contains invalid characters.");
        }

        if (string.IsNullOrEmpty(password))
        {
            errors.Add("password", "Password is required.");
        }

        return errors.Result;
    }

    public static IReadOnlyDictionary<string, string[]> RoleList(IReadOnlyList<string?>? roles)
    {
        var errors = new Errors();
        if (roles is null || roles.Count == 0)
        {
            errors.Add("roles", "At least one role is required.");
        }
        else
        {
            foreach (var role in roles.Where(r => r is null || !Roles.IsKnown(r)).Distinct())
            {
                errors.Add("roles", $"Unknown role '{Truncate(role)}'; known roles are {string.Join(", ", Roles.Known)}.");
            }
        }

        return errors.Result;
    }

    private static string Truncate(string? value) =>
        value is null ? "null" : value.Length <= 32 && TextRules.IsWellFormed(value) ? value : "(invalid)";

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, string[]> Result =>
            _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var list))
            {
                _errors[field] = list = [];
            }

            list.Add(message);
        }
    }
}
