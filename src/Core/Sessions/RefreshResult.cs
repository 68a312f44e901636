namespace FuncAuth.Core.Sessions;

/// <summary>The outcome of a refresh. Closed: these are all its cases.</summary>
public abstract record RefreshResult
{
    private RefreshResult()
    {
    }

    public sealed record Issued(IssuedTokens Tokens) : RefreshResult;

    /// <summary>Malformed, forged, unknown, or of a session that logout or force-logout ended.</summary>
    public sealed record Invalid : RefreshResult;

    public sealed record Expired : RefreshResult;

    /// <summary>A spent token presented after the reuse interval: the session has been ended.</summary>
    public sealed record Reused : RefreshResult;
}
