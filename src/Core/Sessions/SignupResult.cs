namespace FuncAuth.Core.Sessions;

/// <summary>The outcome of a sign-up. Closed: these are all its cases.</summary>
public abstract record SignupResult
{
    private SignupResult()
    {
    }

    public sealed record Created(IssuedTokens Tokens) : SignupResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : SignupResult;

    public sealed record EmailTaken : SignupResult;
}
