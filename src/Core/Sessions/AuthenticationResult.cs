namespace FuncAuth.Core.Sessions;

/// <summary>The outcome of checking an access token and its session. Closed: these are all its cases.</summary>
public abstract record AuthenticationResult
{
    private AuthenticationResult()
    {
    }

    public sealed record Authenticated(AuthenticatedSession Session) : AuthenticationResult;

    public sealed record Missing : AuthenticationResult;

    public sealed record Invalid : AuthenticationResult;

    public sealed record Expired : AuthenticationResult;

    /// <summary>A valid token whose session ended or which is no longer the session's current token.</summary>
    public sealed record Revoked : AuthenticationResult;
}
