using FuncAuth.Core.Sessions;

namespace FuncAuth.Core.Passkeys;

/// <summary>The outcome of a passkey sign-in. Closed: these are all its cases.</summary>
public abstract record PasskeySignInResult
{
    private PasskeySignInResult()
    {
    }

    /// <summary>A new session with <c>amr</c> ["hwk","mfa"] (a user-verified passkey is two factors by itself).</summary>
    public sealed record Succeeded(IssuedTokens Tokens) : PasskeySignInResult;

    /// <summary>Any failed check: <c>passkey_invalid</c>.</summary>
    public sealed record Invalid : PasskeySignInResult;

    public sealed record AccountDisabled : PasskeySignInResult;

    public sealed record EmailNotVerified : PasskeySignInResult;
}
