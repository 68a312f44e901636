using FuncAuth.Core.Sessions;

namespace FuncAuth.Core.Mfa;

/// <summary>The outcome of an answer to an <c>mfaToken</c>. Closed: these are all its cases.</summary>
public abstract record MfaVerifyResult
{
    private MfaVerifyResult()
    {
    }

    public sealed record Succeeded(IssuedTokens Tokens) : MfaVerifyResult;

    /// <summary>Unknown, used, expired or dead (5 wrong codes, or the account's credentials changed).</summary>
    public sealed record TokenInvalid : MfaVerifyResult;

    /// <summary>A wrong or replayed code: counted against the token and as a failed login.</summary>
    public sealed record CodeInvalid : MfaVerifyResult;

    /// <summary>A failed-login limit is reached: 429, the code not checked.</summary>
    public sealed record RateLimited(int RetryAfterSeconds) : MfaVerifyResult;
}
