namespace FuncAuth.Core.Sessions;

public enum SignupStatus
{
    Created,
    Invalid,
    EmailTaken,
}

public sealed record SignupResult(SignupStatus Status, IssuedTokens? Tokens = null, IReadOnlyDictionary<string, string[]>? Errors = null);
