using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;

namespace FuncAuth.Tests.Core;

/// <summary>
/// The refresh rule, case by case. Each row is a session at rotation 5 (unless revoked), a presented counter, how long
/// ago the session last rotated, how long until it expires, and the verdict. Reuse interval 10 s unless a row says.
/// </summary>
public sealed class RefreshRuleTests
{
    private const long Current = 5;
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    public static TheoryData<string, long, TimeSpan, TimeSpan, string> LiveSessions => new()
    {
        // name, presented counter, since last rotation, until expiry, verdict
        { "the current token rotates", Current, TimeSpan.FromHours(1), TimeSpan.FromDays(1), "Rotate" },
        { "the current token one tick before expiry rotates", Current, TimeSpan.FromHours(1), Tick, "Rotate" },
        { "the current token exactly at expiry has expired", Current, TimeSpan.FromHours(1), TimeSpan.Zero, "Expired" },
        { "the previous token inside the interval gets the grace answer", Current - 1, TimeSpan.FromSeconds(5), TimeSpan.FromDays(1), "Grace" },
        { "the previous token right after the rotation gets the grace answer", Current - 1, TimeSpan.Zero, TimeSpan.FromDays(1), "Grace" },
        { "the previous token one tick before the interval ends gets the grace answer", Current - 1, Interval - Tick, TimeSpan.FromDays(1), "Grace" },
        { "the previous token exactly at the interval's end is reuse", Current - 1, Interval, TimeSpan.FromDays(1), "RevokeForReuse(1)" },
        { "the previous token long after the rotation is reuse", Current - 1, TimeSpan.FromHours(1), TimeSpan.FromDays(1), "RevokeForReuse(1)" },
        { "a token two rotations old is reuse even inside the interval", Current - 2, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "RevokeForReuse(2)" },
        { "the first token of a session rotated five times is reuse", 0, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "RevokeForReuse(5)" },
        { "a counter ahead of the session is refused", Current + 1, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "CounterAhead" },
        { "a counter far ahead of the session is refused", Current + 100, TimeSpan.FromHours(1), TimeSpan.FromDays(1), "CounterAhead" },
        { "an expired session refuses a spent token as expired, not as reuse", Current - 2, TimeSpan.FromDays(40), -TimeSpan.FromSeconds(1), "Expired" },
        { "an expired session refuses a counter ahead as expired", Current + 1, TimeSpan.FromDays(40), -TimeSpan.FromSeconds(1), "Expired" },
    };

    [Theory]
    [MemberData(nameof(LiveSessions))]
    public void ALiveSessionDecides(string name, long presented, TimeSpan sinceRotation, TimeSpan untilExpiry, string expected)
    {
        var session = Session(sinceRotation, untilExpiry);

        var verdict = RefreshRule.Decide(session, presented, session.RotatedAt, Now, Interval);

        Assert.True(expected == Describe(verdict), $"{name}: expected {expected}, got {Describe(verdict)}");
    }

    public static TheoryData<string, long, TimeSpan, TimeSpan, string> LateStoredRotations => new()
    {
        // name, presented counter, since the rotation was made, since the grace began (it was stored late), verdict
        { "the previous token inside the grace of a late-stored rotation gets the grace answer", Current - 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), "Grace" },
        { "the previous token one tick before that grace ends gets the grace answer", Current - 1, TimeSpan.FromSeconds(30), Interval - Tick, "Grace" },
        { "the previous token exactly at that grace's end is reuse", Current - 1, TimeSpan.FromSeconds(30), Interval, "RevokeForReuse(1)" },
        { "a token two rotations old is reuse inside that grace too", Current - 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), "RevokeForReuse(2)" },
        { "the current token rotates whenever the grace began", Current, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), "Rotate" },
    };

    [Theory]
    [MemberData(nameof(LateStoredRotations))]
    public void TheGraceRunsFromTheGivenStartNotFromTheRotation(string name, long presented, TimeSpan sinceRotation, TimeSpan sinceGraceStart, string expected)
    {
        var session = Session(sinceRotation, TimeSpan.FromDays(1));

        var verdict = RefreshRule.Decide(session, presented, Now - sinceGraceStart, Now, Interval);

        Assert.True(expected == Describe(verdict), $"{name}: expected {expected}, got {Describe(verdict)}");
    }

    public static TheoryData<string, double?, double, double> GraceStarts => new()
    {
        // name, stored how many seconds after the rotation was made (null: no Timestamp), late after (s), grace starts after (s)
        { "stored at once: the grace starts at the rotation", 0.05, 2, 0 },
        { "stored exactly at the deadline: still the rotation", 2, 2, 0 },
        { "stored after the deadline: the grace starts when stored", 2.5, 2, 2.5 },
        { "stored 30 s late: the grace starts when stored", 30, 2, 30 },
        { "stored exactly the longest delay late: when stored", 60, 2, 60 },
        { "stored beyond the longest delay (clock skew): the rotation", 61, 2, 0 },
        { "stored before it was made (clock skew): the rotation", -5, 2, 0 },
        { "no storage Timestamp: the rotation", null, 2, 0 },
    };

    [Theory]
    [MemberData(nameof(GraceStarts))]
    public void TheGraceStartsAtTheRotationUnlessItWasStoredAfterItsRequestsDeadline(string name, double? storedAfter, double lateAfter, double expectedAfter)
    {
        var rotatedAt = Now - TimeSpan.FromMinutes(5);
        DateTimeOffset? storedAt = storedAfter is { } seconds ? rotatedAt + TimeSpan.FromSeconds(seconds) : null;

        var start = RefreshRule.GraceStart(rotatedAt, storedAt, TimeSpan.FromSeconds(lateAfter));

        Assert.True(rotatedAt + TimeSpan.FromSeconds(expectedAfter) == start, $"{name}: grace starts {(start - rotatedAt).TotalSeconds} s after the rotation");
    }

    [Fact]
    public void WithoutADeadlineALateStoreNeverMovesTheGrace()
    {
        var rotatedAt = Now - TimeSpan.FromMinutes(5);

        Assert.Equal(rotatedAt, RefreshRule.GraceStart(rotatedAt, rotatedAt + TimeSpan.FromSeconds(30), TimeSpan.MaxValue));
    }

    [Fact]
    public void AReplayAfterALateStoredRotationGetsTheGraceAnswerWhereTheRotationTimeAloneWouldCallItReuse()
    {
        // The request made rotation 5 at RotatedAt, hit its deadline, and storage applied the write 20 s later; the client
        // retries its old token 12 s after that, inside a 15 s interval.
        var interval = TimeSpan.FromSeconds(15);
        var session = Session(TimeSpan.FromSeconds(32), TimeSpan.FromDays(1));
        var start = RefreshRule.GraceStart(session.RotatedAt, session.RotatedAt + TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2));

        Assert.Equal("RevokeForReuse(1)", Describe(RefreshRule.Decide(session, Current - 1, session.RotatedAt, Now, interval)));
        Assert.Equal("Grace", Describe(RefreshRule.Decide(session, Current - 1, start, Now, interval)));
    }

    [Theory]
    [InlineData(Current - 1, 0)]
    [InlineData(Current - 1, 5)]
    [InlineData(Current - 2, 0)]
    public void WithAZeroIntervalEverySpentTokenIsReuse(long presented, int secondsSinceRotation)
    {
        var session = Session(TimeSpan.FromSeconds(secondsSinceRotation), TimeSpan.FromDays(1));

        var verdict = RefreshRule.Decide(session, presented, session.RotatedAt, Now, TimeSpan.Zero);

        Assert.Equal($"RevokeForReuse({Current - presented})", Describe(verdict));
    }

    public static TheoryData<string, string, long, string> RevokedSessions => new()
    {
        // name, why it ended, presented counter, verdict
        { "logout, then the current token", nameof(RevocationReason.Logout), Current, "Revoked" },
        { "logout, then a spent token", nameof(RevocationReason.Logout), Current - 1, "Revoked" },
        { "global logout, then a spent token", nameof(RevocationReason.LogoutGlobal), Current - 2, "Revoked" },
        { "logout elsewhere, then a spent token", nameof(RevocationReason.LogoutOthers), Current - 1, "Revoked" },
        { "force-logout, then a spent token", nameof(RevocationReason.ForceLogout), Current - 1, "Revoked" },
        { "reuse, then another spent token", nameof(RevocationReason.RefreshTokenReused), Current - 1, "SpentAfterReuse" },
        { "reuse, then a much older token", nameof(RevocationReason.RefreshTokenReused), 0, "SpentAfterReuse" },
        { "reuse, then the newest token of the session", nameof(RevocationReason.RefreshTokenReused), Current, "Revoked" },
        { "reuse, then a counter ahead", nameof(RevocationReason.RefreshTokenReused), Current + 1, "Revoked" },
    };

    [Theory]
    [MemberData(nameof(RevokedSessions))]
    public void ARevokedSessionDecides(string name, string reason, long presented, string expected)
    {
        var session = Session(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        session.Revoke(Enum.Parse<RevocationReason>(reason), Now - TimeSpan.FromSeconds(1));

        var verdict = RefreshRule.Decide(session, presented, session.RotatedAt, Now, Interval);

        Assert.True(expected == Describe(verdict), $"{name}: expected {expected}, got {Describe(verdict)}");
    }

    [Fact]
    public void ARevokedSessionDecidesAsRevokedEvenAfterItExpired()
    {
        var session = Session(TimeSpan.FromDays(40), -TimeSpan.FromDays(1));
        session.Revoke(RevocationReason.RefreshTokenReused, Now - TimeSpan.FromDays(2));

        Assert.Equal("SpentAfterReuse", Describe(RefreshRule.Decide(session, Current - 1, session.RotatedAt, Now, Interval)));
        Assert.Equal("Revoked", Describe(RefreshRule.Decide(session, Current, session.RotatedAt, Now, Interval)));
    }

    [Fact]
    public void DecidingChangesNothingInTheSession()
    {
        var session = Session(TimeSpan.FromHours(1), TimeSpan.FromDays(1));

        _ = RefreshRule.Decide(session, Current - 3, session.RotatedAt, Now, Interval);

        Assert.False(session.Revoked);
        Assert.Equal(Current, session.Counter);
    }

    [Theory]
    [InlineData(nameof(RevocationReason.Logout), "logout")]
    [InlineData(nameof(RevocationReason.LogoutGlobal), "logout_global")]
    [InlineData(nameof(RevocationReason.LogoutOthers), "logout_others")]
    [InlineData(nameof(RevocationReason.ForceLogout), "force_logout")]
    [InlineData(nameof(RevocationReason.RefreshTokenReused), "refresh_token_reused")]
    public void RevokingRecordsTheReasonUnderItsStoredNameAndReadsItBack(string reasonName, string stored)
    {
        var reason = Enum.Parse<RevocationReason>(reasonName);
        var session = Session(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Assert.Null(session.Revocation);

        session.Revoke(reason, Now);

        Assert.True(session.Revoked);
        Assert.Equal(Now, session.RevokedAt);
        Assert.Equal(stored, session.RevokedReason);
        Assert.Equal(reason, session.Revocation);
        Assert.Equal(
            new Dictionary<string, object?> { ["Revoked"] = true, ["RevokedAt"] = Now, ["RevokedReason"] = stored },
            SessionEntity.RevocationColumns(reason, Now));
    }

    private static SessionEntity Session(TimeSpan sinceRotation, TimeSpan untilExpiry) => new()
    {
        PartitionKey = "user",
        RowKey = SessionEntity.RowKeyFor("session"),
        Counter = Current,
        CreatedAt = Now - TimeSpan.FromDays(2),
        RotatedAt = Now - sinceRotation,
        ExpiresAt = Now + untilExpiry,
    };

    private static string Describe(object verdict) => verdict switch
    {
        RefreshVerdict.RevokeForReuse reuse => $"RevokeForReuse({reuse.Behind})",
        _ => verdict.GetType().Name,
    };
}
