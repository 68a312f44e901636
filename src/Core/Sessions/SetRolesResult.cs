using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Sessions;

/// <summary>The outcome of setting a user's roles. Closed: these are all its cases.</summary>
public abstract record SetRolesResult
{
    private SetRolesResult()
    {
    }

    public sealed record Updated(UserAccount User) : SetRolesResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : SetRolesResult;

    public sealed record NotFound : SetRolesResult;

    /// <summary>The change would take admin from the last enabled admin; nothing changed.</summary>
    public sealed record LastAdmin : SetRolesResult;
}
