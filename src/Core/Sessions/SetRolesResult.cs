using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Sessions;

public enum SetRolesStatus
{
    Updated,
    Invalid,
    NotFound,
}

public sealed record SetRolesResult(SetRolesStatus Status, UserAccount? User = null, IReadOnlyDictionary<string, string[]>? Errors = null);
