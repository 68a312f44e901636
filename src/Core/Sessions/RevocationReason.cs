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
}
