namespace FuncAuth.Core.Sessions;

/// <summary>The outcome of a refresh. Closed: these are all its cases.</summary>
public abstract record RefreshResult
{
    private RefreshResult()
    {
    }

    public sealed record Issued(IssuedTokens Tokens) : RefreshResult
    {
        /// <summary>True for a rotation, false for a grace answer (a racing or late loser given what the winner got).</summary>
        internal bool Rotated { get; init; }
    }

    /// <summary>Malformed, forged, unknown, or of a session that logout or force-logout ended.</summary>
    public sealed record Invalid : RefreshResult;

    public sealed record Expired : RefreshResult;

    /// <summary>A spent token presented after the reuse interval: the session has been ended.</summary>
    public sealed record Reused : RefreshResult
    {
        /// <summary>True when this request detected the reuse and ended the session; false when it had ended already.</summary>
        internal bool SessionEnded { get; init; }
    }
}
