namespace FuncAuth.Core.Sessions;

/// <summary>The caller behind a valid access token whose session is live and whose jti is the session's current one.</summary>
public sealed class AuthenticatedSession
{
    internal AuthenticatedSession(string userId, string sessionId, IReadOnlyList<string> roles, Storage.SessionEntity entity)
    {
        UserId = userId;
        SessionId = sessionId;
        Roles = roles;
        Entity = entity;
    }

    public string UserId { get; }

    public string SessionId { get; }

    public IReadOnlyList<string> Roles { get; }

    // The session as read during authentication, so logout can write it back with its ETag without reading it again.
    internal Storage.SessionEntity Entity { get; }
}
