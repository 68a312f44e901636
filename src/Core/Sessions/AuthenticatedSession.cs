namespace FuncAuth.Core.Sessions;

/// <summary>The caller behind a valid access token whose session is live and whose jti is the session's current one.</summary>
public sealed class AuthenticatedSession
{
    internal AuthenticatedSession(string userId, string sessionId, IReadOnlyList<string> roles, string emailKey, Azure.ETag version)
    {
        UserId = userId;
        SessionId = sessionId;
        Roles = roles;
        EmailKey = emailKey;
        Version = version;
    }

    public string UserId { get; }

    public string SessionId { get; }

    public IReadOnlyList<string> Roles { get; }

    // What authentication read, so me finds the account and logout ends the session without reading it again.
    internal string EmailKey { get; }

    internal Azure.ETag Version { get; }
}
