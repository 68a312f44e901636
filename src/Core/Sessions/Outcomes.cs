using FuncAuth.Core.Accounts;

namespace FuncAuth.Core.Sessions;

/// <summary>What signup, login and refresh hand to a client.</summary>
public sealed record IssuedTokens(string AccessToken, int ExpiresIn, string RefreshToken, UserAccount User);

public enum SignupStatus
{
    Created,
    Invalid,
    EmailTaken,
}

public sealed record SignupResult(SignupStatus Status, IssuedTokens? Tokens = null, IReadOnlyDictionary<string, string[]>? Errors = null);

public enum LoginStatus
{
    Succeeded,
    Invalid,
    InvalidCredentials,
    EmailNotVerified,
    AccountDisabled,
}

public sealed record LoginResult(LoginStatus Status, IssuedTokens? Tokens = null, IReadOnlyDictionary<string, string[]>? Errors = null);

public enum RefreshStatus
{
    Issued,
    Invalid,
    Expired,
    Reused,
}

public sealed record RefreshResult(RefreshStatus Status, IssuedTokens? Tokens = null);

public enum AuthenticationStatus
{
    Authenticated,
    Missing,
    Invalid,
    Expired,
    Revoked,
}

public sealed record AuthenticationResult(AuthenticationStatus Status, AuthenticatedSession? Session = null);

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

public enum LogoutScope
{
    Local,
    Global,
    Others,
}

public enum SetRolesStatus
{
    Updated,
    Invalid,
    NotFound,
}

public sealed record SetRolesResult(SetRolesStatus Status, UserAccount? User = null, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>Storage kept changing under a conditional write; answered like any dependency failure (503).</summary>
public sealed class StorageContentionException : Exception
{
    public StorageContentionException() : base("The record kept changing during the update; retry later.")
    {
    }

    public StorageContentionException(string message) : base(message)
    {
    }

    public StorageContentionException(string message, Exception inner) : base(message, inner)
    {
    }
}
