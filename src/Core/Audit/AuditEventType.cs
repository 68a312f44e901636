namespace FuncAuth.Core.Audit;

/// <summary>
/// Every security event the trail records (docs/api.md, "Audit trail"): one closed set, so an operation cannot invent a
/// type and a reader can rely on the list. The stored and published name of each is <see cref="AuditEventTypes.Name"/>.
/// </summary>
public enum AuditEventType
{
    Signup,
    LoginSucceeded,
    LoginFailed,
    MfaSucceeded,
    MfaFailed,
    RecoveryCodeUsed,
    TotpEnabled,
    TotpDisabled,
    PasskeyAdded,
    PasskeyUsed,
    PasskeyDeleted,
    Reauthenticated,
    RefreshTokenReused,
    Logout,
    ForceLogout,
    PasswordChanged,
    PasswordReset,
    EmailVerified,
    ApiKeyCreated,
    ApiKeyRevoked,
    RolesChanged,
    UserDisabled,
    UserEnabled,
    MfaReset,
    AccountDeleted,
}
