namespace FuncAuth.Core.Sessions;

/// <summary>The outcome of a re-authentication. Closed: these are all its cases.</summary>
public abstract record ReauthenticationResult
{
    private ReauthenticationResult()
    {
    }

    /// <summary>The same session, new tokens, <c>auth_time</c> now and the proof's methods merged into <c>amr</c>.</summary>
    public sealed record Succeeded(IssuedTokens Tokens) : ReauthenticationResult;

    /// <summary>The proof did not hold: a failed login, counted as one.</summary>
    public sealed record Refused(Proof Proof) : ReauthenticationResult;

    /// <summary>The session ended or the account is gone since the caller was authenticated.</summary>
    public sealed record SessionEnded : ReauthenticationResult;
}
