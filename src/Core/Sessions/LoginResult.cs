namespace FuncAuth.Core.Sessions;

public enum LoginStatus
{
    Succeeded,
    Invalid,
    InvalidCredentials,
}

public sealed record LoginResult(LoginStatus Status, IssuedTokens? Tokens = null, IReadOnlyDictionary<string, string[]>? Errors = null);
