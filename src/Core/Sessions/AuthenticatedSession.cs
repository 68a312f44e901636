namespace FuncAuth.Core.Sessions;

/// <summary>The caller behind a valid access token whose session is live and whose jti is the session's current one.</summary>
public sealed class AuthenticatedSession
{
    internal AuthenticatedSession(
        string userId, string sessionId, IReadOnlyList<string> roles, string emailKey, Azure.ETag version, Storage.UserRefEntity? userRow, string securityStamp = "",
        Tokens.SessionProof? proof = null)
    {
        Proof = proof ?? new(default, AuthMethods.PasswordOnly);
        SecurityStamp = securityStamp;
        UserRow = userRow;
        UserId = userId;
        SessionId = sessionId;
        Roles = roles;
        EmailKey = emailKey;
        Version = version;
    }

    public string UserId { get; }

    public string SessionId { get; }

    public IReadOnlyList<string> Roles { get; }

    /// <summary>
    /// How the session was signed in, as its row records it (the token carries the same): <c>auth_time</c>, when a
    /// credential was last proved in it, and <c>amr</c> (RFC 8176), what was proved.
    /// </summary>
    public Tokens.SessionProof Proof { get; }

    public DateTimeOffset AuthTime => Proof.AuthTime;

    public IReadOnlyList<string> Methods => Proof.Methods;

    /// <summary>The account has a second factor (from the profile copy read with the session).</summary>
    public bool MfaEnabled => Account?.MfaEnabled == true;

    // What authentication read, so me finds the account and logout ends the session without reading it again.
    internal string EmailKey { get; }

    internal Azure.ETag Version { get; }

    /// <summary>The security stamp the session was proved under (the account's, for a session stored before stamps were recorded).</summary>
    internal string SecurityStamp { get; }

    /// <summary>The user's row read with the session (reference and profile copy).</summary>
    internal Storage.UserRefEntity? UserRow { get; }

    /// <summary>The profile copy read with the session; null for a user row stored before the copy existed.</summary>
    internal Accounts.UserAccount? Account => UserRow is { HasProfile: true } row ? row.ToAccount() : null;
}
