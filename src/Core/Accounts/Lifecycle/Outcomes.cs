namespace FuncAuth.Core.Accounts.Lifecycle;

public enum VerifyEmailStatus
{
    Verified,
    Invalid,
    Expired,
}

public enum ResetPasswordStatus
{
    Reset,
    Invalid,
    InvalidToken,
    ExpiredToken,
}

public sealed record ResetPasswordResult(ResetPasswordStatus Status, IReadOnlyDictionary<string, string[]>? Errors = null);

public enum PasswordCheckedStatus
{
    Done,
    Invalid,
    PasswordIncorrect,
    /// <summary>The account behind the caller's token is gone.</summary>
    NoAccount,
}

public sealed record PasswordCheckedResult(PasswordCheckedStatus Status, IReadOnlyDictionary<string, string[]>? Errors = null);

public sealed record UpdateProfileResult(UserAccount? User, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>One live session as its owner sees it.</summary>
public sealed record SessionInfo(string Id, bool Current, DateTimeOffset CreatedAt, DateTimeOffset? LastRefreshedAt, DateTimeOffset ExpiresAt, string? UserAgent);

public enum SignupVerificationStatus
{
    Sent,
    Invalid,
}

public enum AdminChangeStatus
{
    Updated,
    NotFound,
    CannotDisableSelf,
}

public sealed record AdminChangeResult(AdminChangeStatus Status, UserAccount? User = null);
