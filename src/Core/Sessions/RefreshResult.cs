namespace FuncAuth.Core.Sessions;

public enum RefreshStatus
{
    Issued,
    Invalid,
    Expired,
    Reused,
}

public sealed record RefreshResult(RefreshStatus Status, IssuedTokens? Tokens = null);
