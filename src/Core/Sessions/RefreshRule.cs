using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// The refresh rule, as a pure function: given the session as stored, the counter of the presented token, when the reuse
/// grace of the session's last rotation began (<see cref="GraceStart"/>), the time and the reuse interval, which of the
/// closed set of <see cref="RefreshVerdict"/>s applies. It reads, never writes; the service applies the verdict.
/// </summary>
internal static class RefreshRule
{
    /// <summary>The furthest a late-stored rotation can move the start of its grace (so differing clocks cannot stretch it).</summary>
    public static readonly TimeSpan MaxStoreDelay = TimeSpan.FromMinutes(1);

    /// <summary>
    /// When the reuse grace of the session's last rotation began. Normally when the app made the rotation
    /// (<paramref name="rotatedAt"/>); but a paused or overloaded storage server applies a write it received late, after
    /// the request hit its deadline and was answered 503, and the client's retry of its old token must still find the
    /// grace open, or a hung dependency would end its session. So a rotation stored (the entity's Timestamp,
    /// <paramref name="storedAt"/>) more than <paramref name="lateWriteAfter"/> (the request deadline) after it was made
    /// starts the grace when it was stored; at most <see cref="MaxStoreDelay"/> later.
    /// </summary>
    public static DateTimeOffset GraceStart(DateTimeOffset rotatedAt, DateTimeOffset? storedAt, TimeSpan lateWriteAfter) =>
        storedAt is { } stored && stored - rotatedAt > lateWriteAfter && stored - rotatedAt <= MaxStoreDelay
            ? stored
            : rotatedAt;

    public static RefreshVerdict Decide(SessionEntity session, long presented, DateTimeOffset graceStart, DateTimeOffset now, TimeSpan reuseInterval)
    {
        if (session.Revoked)
        {
            // Racing presentations of one spent token all get the same answer, whichever of them ended the session.
            return session.Revocation == RevocationReason.RefreshTokenReused && presented < session.Counter
                ? new RefreshVerdict.SpentAfterReuse()
                : new RefreshVerdict.Revoked();
        }

        if (now >= session.ExpiresAt)
        {
            return new RefreshVerdict.Expired();
        }

        if (presented > session.Counter)
        {
            return new RefreshVerdict.CounterAhead();
        }

        if (presented == session.Counter)
        {
            return new RefreshVerdict.Rotate();
        }

        return presented == session.Counter - 1 && now - graceStart < reuseInterval
            ? new RefreshVerdict.Grace()
            : new RefreshVerdict.RevokeForReuse(session.Counter - presented);
    }
}
