namespace FuncAuth.Core.Sessions;

/// <summary>Why a session ended. Stored with the session (as <see cref="Storage.SessionEntity.RevokedReason"/>) for audit.</summary>
internal enum RevocationReason
{
    Logout,
    LogoutGlobal,
    LogoutOthers,
    ForceLogout,
    RefreshTokenReused,
    PasswordReset,
    PasswordChanged,
    AccountDeleted,
    AccountDisabled,
    /// <summary>Ended by its owner from the sessions list (<c>DELETE /api/auth/sessions/{id}</c>).</summary>
    SessionDeleted,
    /// <summary>Ended by a new login of the user at the cap on sessions per user (the least recently used one).</summary>
    SessionLimit,
    /// <summary>Ended by an admin's reset of the user's second factors (<c>DELETE /api/users/{id}/mfa</c>).</summary>
    MfaReset,
    /// <summary>Opened by an authorization code that was presented again (RFC 6749 §4.1.2): the code may have been stolen.</summary>
    AuthorizationCodeReused,
}
