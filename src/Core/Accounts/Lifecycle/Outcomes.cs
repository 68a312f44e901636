namespace FuncAuth.Core.Accounts.Lifecycle;

public enum VerifyEmailStatus
{
    Verified,
    Invalid,
    Expired,
}

/// <summary>The outcome of a password reset. Closed: these are all its cases.</summary>
public abstract record ResetPasswordResult
{
    private ResetPasswordResult()
    {
    }

    /// <summary>The password was set; <paramref name="Email"/> is the account's address (for its login-failure counters).</summary>
    public sealed record Reset(string Email) : ResetPasswordResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ResetPasswordResult;

    public sealed record InvalidToken : ResetPasswordResult;

    public sealed record ExpiredToken : ResetPasswordResult;
}

/// <summary>The outcome of a change that the caller's password authorises (change password, delete account). Closed.</summary>
public abstract record PasswordCheckedResult
{
    private PasswordCheckedResult()
    {
    }

    public sealed record Done : PasswordCheckedResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : PasswordCheckedResult;

    public sealed record PasswordIncorrect : PasswordCheckedResult;

    /// <summary>The account behind the caller's token is gone.</summary>
    public sealed record NoAccount : PasswordCheckedResult;
}

/// <summary>The outcome of a profile update. Closed: these are all its cases.</summary>
public abstract record UpdateProfileResult
{
    private UpdateProfileResult()
    {
    }

    public sealed record Updated(UserAccount User) : UpdateProfileResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : UpdateProfileResult;

    /// <summary>The account behind the caller's token is gone.</summary>
    public sealed record NoAccount : UpdateProfileResult;
}

/// <summary>
/// One live session as its owner sees it. <see cref="LastUsedAt"/> is when it last received tokens (the login that opened
/// it or its last refresh); <see cref="Device"/> is <see cref="FuncAuth.Core.Sessions.DeviceLabel"/> of its User-Agent.
/// </summary>
public sealed record SessionInfo(
    string Id, bool Current, DateTimeOffset CreatedAt, DateTimeOffset? LastRefreshedAt, DateTimeOffset ExpiresAt, string? UserAgent,
    string Device, DateTimeOffset LastUsedAt);

/// <summary>The outcome of an admin's disable or enable. Closed: these are all its cases.</summary>
public abstract record AdminChangeResult
{
    private AdminChangeResult()
    {
    }

    public sealed record Updated(UserAccount User) : AdminChangeResult;

    public sealed record NotFound : AdminChangeResult;

    public sealed record CannotDisableSelf : AdminChangeResult;

    /// <summary>Disabling this admin would leave no enabled admin (two admins disabling each other at once).</summary>
    public sealed record LastAdmin : AdminChangeResult;
}
