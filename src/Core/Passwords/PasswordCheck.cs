namespace FuncAuth.Core.Passwords;

/// <summary>The outcome of checking a password against a stored hash.</summary>
public enum PasswordCheck
{
    Failed,
    Succeeded,
    SucceededRehashNeeded,
}
