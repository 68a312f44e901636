namespace FuncAuth.Core.Email;

/// <summary>The kinds of email FuncAuth sends.</summary>
public static class EmailKinds
{
    public const string VerifyEmail = "verify_email";
    public const string ResetPassword = "reset_password";
    public const string SignupAttempt = "signup_attempt";
    public const string PasskeyAdded = "passkey_added";
    public const string TotpEnabled = "totp_enabled";
    public const string TotpDisabled = "totp_disabled";
    public const string MfaReset = "mfa_reset";

    // Security notices (docs/api.md, "Audit trail"): sent after the change, capped per account, not per recipient.
    public const string PasswordChangedNotice = "notice_password_changed";
    public const string PasswordResetNotice = "notice_password_reset";
    public const string ApiKeyCreatedNotice = "notice_api_key_created";

    public static bool IsKnown(string? kind) => kind is VerifyEmail or ResetPassword or SignupAttempt || IsSecurityNotice(kind);

    /// <summary>The security emails of docs/api.md ("Audit trail"): the passkey, TOTP and MFA-reset ones among them.</summary>
    public static bool IsSecurityNotice(string? kind) =>
        kind is PasswordChangedNotice or PasswordResetNotice or ApiKeyCreatedNotice or PasskeyAdded or TotpEnabled or TotpDisabled or MfaReset;
}
