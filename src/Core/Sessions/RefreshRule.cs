using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// The refresh rule, as a pure function: given the session as stored, the counter of the presented token, the time and
/// the reuse interval, which of the closed set of <see cref="RefreshVerdict"/>s applies. It reads, never writes; the
/// service applies the verdict.
/// </summary>
internal static class RefreshRule
{
    public static RefreshVerdict Decide(SessionEntity session, long presented, DateTimeOffset now, TimeSpan reuseInterval)
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

        return presented == session.Counter - 1 && now - session.RotatedAt < reuseInterval
            ? new RefreshVerdict.Grace()
            : new RefreshVerdict.RevokeForReuse(session.Counter - presented);
    }
}
