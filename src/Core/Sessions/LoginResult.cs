namespace FuncAuth.Core.Sessions;

/// <summary>The outcome of a login. Closed: these are all its cases.</summary>
public abstract record LoginResult
{
    private LoginResult()
    {
    }

    public sealed record Succeeded(IssuedTokens Tokens) : LoginResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : LoginResult;

    /// <summary>Unknown email or wrong password: deliberately one case.</summary>
    public sealed record InvalidCredentials : LoginResult;

    /// <summary>Right password, but the address is not yet verified and verification is required.</summary>
    public sealed record EmailNotVerified : LoginResult;

    /// <summary>
    /// Right password, and the account has a second factor: no session yet. <see cref="MfaToken"/> names the pending
    /// sign-in, which <c>POST /api/auth/mfa/verify</c> completes with a code. <see cref="Methods"/>: what the account can
    /// prove it with (<c>totp</c>, <c>recovery_code</c>, and <c>passkey</c> when it has one, for a passkey sign-in instead).
    /// </summary>
    public sealed record MfaRequired(string MfaToken, int ExpiresIn, IReadOnlyList<string> Methods) : LoginResult;

    /// <summary>Right password, but an admin disabled the account.</summary>
    public sealed record AccountDisabled : LoginResult;
}
