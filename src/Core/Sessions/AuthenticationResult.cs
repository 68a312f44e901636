namespace FuncAuth.Core.Sessions;

public enum AuthenticationStatus
{
    Authenticated,
    Missing,
    Invalid,
    Expired,
    Revoked,
}

public sealed record AuthenticationResult(AuthenticationStatus Status, AuthenticatedSession? Session = null);
