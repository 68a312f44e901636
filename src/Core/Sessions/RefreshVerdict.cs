namespace FuncAuth.Core.Sessions;

/// <summary>What <see cref="RefreshRule"/> decided about a presented refresh token. Closed: every case is below.</summary>
internal abstract record RefreshVerdict
{
    private RefreshVerdict()
    {
    }

    /// <summary>The session's current token: spend it and issue the next.</summary>
    public sealed record Rotate : RefreshVerdict;

    /// <summary>The token just spent, presented again inside the reuse interval: answer with the session's current tokens.</summary>
    public sealed record Grace : RefreshVerdict;

    /// <summary>A spent token outside the grace: theft. End the session. <paramref name="Behind"/> rotations old.</summary>
    public sealed record RevokeForReuse(long Behind) : RefreshVerdict;

    /// <summary>A spent token of a session that reuse ended already: the same answer as the presentation that ended it.</summary>
    public sealed record SpentAfterReuse : RefreshVerdict;

    /// <summary>The session was ended (logout, force-logout), or this is the newest token of a session reuse ended.</summary>
    public sealed record Revoked : RefreshVerdict;

    /// <summary>The session's refresh-token lifetime is over.</summary>
    public sealed record Expired : RefreshVerdict;

    /// <summary>A counter the session never reached: a forged or foreign token that happens to carry a valid MAC.</summary>
    public sealed record CounterAhead : RefreshVerdict;
}
