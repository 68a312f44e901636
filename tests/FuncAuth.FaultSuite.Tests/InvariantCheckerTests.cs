using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Storage;

namespace FuncAuth.FaultSuite.Tests;

/// <summary>Azurite in its own folder for the checker tests; each test works on tables of its own prefix.</summary>
public sealed class CheckerAzurite : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "funcauth-checker-" + Guid.NewGuid().ToString("N")[..8]);

    public AzuriteProcess Azurite { get; private set; } = null!;

    public async Task InitializeAsync() => Azurite = await AzuriteProcess.StartAsync(_folder);

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>Each rule of the invariant checker finds the inconsistency planted for it, and only that one.</summary>
public sealed class InvariantCheckerTests(CheckerAzurite fixture) : IClassFixture<CheckerAzurite>, IAsyncLifetime
{
    private readonly string _prefix = "c" + Guid.NewGuid().ToString("N")[..10];
    private TableServiceClient _service = null!;

    private TableClient Users => _service.GetTableClient(_prefix + AuthTables.UsersTable);
    private TableClient UserSessions => _service.GetTableClient(_prefix + AuthTables.UserSessionsTable);
    private TableClient Index => _service.GetTableClient(_prefix + AuthTables.SessionExpiryTable);
    private TableClient RateLimits => _service.GetTableClient(_prefix + AuthTables.RateLimitsTable);

    public async Task InitializeAsync()
    {
        _service = new TableServiceClient(fixture.Azurite.ConnectionString);
        foreach (var table in new[] { Users, UserSessions, Index, RateLimits })
        {
            await table.CreateIfNotExistsAsync();
        }

        // Every test starts from a consistent user with a live session and a counter the limiter could have written, so a
        // rule that fires on sound data fails here.
        await PlantUserAsync();
        await PlantCounterAsync("127.0.0.1", count: 3);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ConsistentTablesPassIncludingRevokedSessionsAndIndexEntriesCleanupWillDrop()
    {
        var (userId, emailKey) = await PlantUserAsync();
        await PlantSessionAsync(userId, emailKey, revoked: true);
        // A session cleanup already removed leaves its index entry until the hour comes due: not an inconsistency.
        await Index.AddEntityAsync(new SessionExpiryEntity { PartitionKey = SessionExpiryEntity.Bucket(DateTimeOffset.UtcNow), RowKey = SessionExpiryEntity.RowKeyFor(userId, Ids.New()) });

        var (violations, snapshot) = await CheckAsync();

        Assert.Empty(violations);
        Assert.Equal(2, snapshot.AccountCount);
        Assert.Equal(3, snapshot.SessionCount);
    }

    [Theory]
    [InlineData("zero")]
    [InlineData("window")]
    [InlineData("name")]
    public async Task FindsARateCounterTheLimiterCouldNotHaveWritten(string flaw)
    {
        var rowKey = await PlantCounterAsync("10.0.0." + flaw.Length, count: 1);
        TableEntity? counter = null;
        await foreach (var row in RateLimits.QueryAsync<TableEntity>(e => e.RowKey == rowKey))
        {
            counter = row;
        }

        Assert.NotNull(counter);
        switch (flaw)
        {
            case "zero":
                counter["Count"] = 0;
                break;
            case "window":
                counter["WindowEnd"] = counter.GetDateTimeOffset("WindowEnd")!.Value.AddHours(1);
                break;
            default:
                await RateLimits.DeleteEntityAsync(counter.PartitionKey, counter.RowKey);
                counter.RowKey = "NoSuchLimit-" + rowKey[(rowKey.LastIndexOf('-') + 1)..];
                rowKey = counter.RowKey;
                break;
        }

        await RateLimits.UpsertEntityAsync(counter, TableUpdateMode.Replace);

        await AssertFoundAsync(InvariantRules.RateCounterMalformed, rowKey);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TakesAnAccountsFailureCountersInTheirSharedPartitionAndFindsOneWhoseWindowDisagrees(bool flawed)
    {
        // As the limiter files them: one partition ending with the later (hour) window, each row naming its own window.
        var hourEnd = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 3600 + 1) * 3600);
        var quarterEnd = hourEnd.AddMinutes(-45);
        var rows = RateLimitStore.LoginFailureKeys($"account-{Guid.NewGuid():N}", "10.0.1.1", hourEnd, quarterEnd);
        await RateLimits.AddEntityAsync(new RateCounterEntity { PartitionKey = rows.PartitionKey, RowKey = rows.AccountRow, Count = 2, WindowEnd = hourEnd });
        await RateLimits.AddEntityAsync(new RateCounterEntity
        {
            PartitionKey = rows.PartitionKey, RowKey = rows.PairRow!, Count = 1, WindowEnd = flawed ? hourEnd : quarterEnd,
        });

        if (flawed)
        {
            await AssertFoundAsync(InvariantRules.RateCounterMalformed, rows.PairRow!);
        }
        else
        {
            var (violations, _) = await CheckAsync();
            Assert.Empty(violations);
        }
    }

    [Fact]
    public async Task FindsAnAccountWithoutItsUserReference()
    {
        var userId = Ids.New();
        var email = $"alone-{Guid.NewGuid():N}@example.com";
        await Users.AddEntityAsync(new UserEntity { PartitionKey = EmailAddress.StorageKey(EmailAddress.Normalize(email)), UserId = userId, Email = email, Roles = Roles.User });

        await AssertFoundAsync(InvariantRules.AccountWithoutUserReference, userId);
    }

    [Fact]
    public async Task FindsAUserReferenceWithoutItsAccount()
    {
        var (userId, emailKey) = await PlantUserAsync();
        await Users.DeleteEntityAsync(emailKey, "");

        await AssertFoundAsync(InvariantRules.UserReferenceWithoutAccount, userId);
    }

    [Fact]
    public async Task FindsAProfileCopyNoWriteOfItsAccountMadeButNotOneBehindIt()
    {
        var (behind, _) = await PlantUserAsync();
        await UserSessions.UpdateEntityAsync(new TableEntity(behind, UserRefEntity.Row) { ["Name"] = "Old", ["Revision"] = 2L }, ETag.All, TableUpdateMode.Merge);
        var (changed, _) = await PlantUserAsync();
        await UserSessions.UpdateEntityAsync(new TableEntity(changed, UserRefEntity.Row) { ["Roles"] = "user,admin" }, ETag.All, TableUpdateMode.Merge);
        var (ahead, _) = await PlantUserAsync();
        await UserSessions.UpdateEntityAsync(new TableEntity(ahead, UserRefEntity.Row) { ["Revision"] = 4L }, ETag.All, TableUpdateMode.Merge);

        var (violations, _) = await CheckAsync();

        Assert.All(violations, v => Assert.Equal(InvariantRules.ProfileCopyNotFromAccount, v.Rule));
        Assert.Equal(
            new[] { changed, ahead }.Order(StringComparer.Ordinal),
            violations.Select(v => v.Detail.Split(' ')[1].TrimEnd(':')).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FindsTwoAccountsForOneEmail()
    {
        var email = $"Twice-{Guid.NewGuid():N}@Example.com";
        await PlantUserAsync(email);
        // The same address in other letters, stored under a key that is not its normalised email's: a second account.
        var userId = Ids.New();
        var otherKey = "x" + Guid.NewGuid().ToString("N");
        await Users.AddEntityAsync(new UserEntity { PartitionKey = otherKey, UserId = userId, Email = email.ToUpperInvariant(), Roles = Roles.User });
        await UserSessions.AddEntityAsync(new UserRefEntity { PartitionKey = userId, EmailKey = otherKey });

        await AssertFoundAsync(InvariantRules.TwoAccountsForOneEmail, userId);
    }

    [Fact]
    public async Task FindsASessionWithoutItsUser()
    {
        var userId = Ids.New();
        await PlantSessionAsync(userId, "gone");

        await AssertFoundAsync(InvariantRules.SessionWithoutUser, userId);
    }

    [Fact]
    public async Task FindsALiveSessionMissingFromTheCleanupIndex()
    {
        var (userId, emailKey) = await PlantUserAsync();
        var sessionId = await PlantSessionAsync(userId, emailKey, indexed: false);

        await AssertFoundAsync(InvariantRules.SessionMissingFromCleanupIndex, sessionId);
    }

    [Fact]
    public async Task FindsASessionBothRevokedAndCurrent()
    {
        var (userId, emailKey) = await PlantUserAsync();
        var sessionId = await PlantSessionAsync(userId, emailKey);
        // Revoked, but without the time and reason every revocation writes: half a revocation.
        await UserSessions.UpdateEntityAsync(
            new TableEntity(userId, SessionEntity.RowKeyFor(sessionId)) { [nameof(SessionEntity.Revoked)] = true }, ETag.All, TableUpdateMode.Merge);

        await AssertFoundAsync(InvariantRules.SessionRevokedAndCurrent, sessionId);
    }

    [Fact]
    public async Task FindsAnIndexEntryPointingAtNothingThatCleanupWouldNeverRemove()
    {
        // An hour that is no hour never comes due, so cleanup never visits the entry.
        var rowKey = SessionExpiryEntity.RowKeyFor(Ids.New(), Ids.New());
        await Index.AddEntityAsync(new SessionExpiryEntity { PartitionKey = "someday", RowKey = rowKey });

        await AssertFoundAsync(InvariantRules.IndexEntryNeverRemoved, rowKey);
    }

    [Fact]
    public async Task FindsAnApiKeyWhoseUserIsGone()
    {
        var keyId = await PlantApiKeyAsync(Ids.New(), indexed: true);

        await AssertFoundAsync(InvariantRules.ApiKeyWithoutUser, keyId);
    }

    [Fact]
    public async Task FindsAnApiKeyMissingFromTheCleanupIndex()
    {
        var (userId, _) = await PlantUserAsync();
        var keyId = await PlantApiKeyAsync(userId, indexed: false);

        await AssertFoundAsync(InvariantRules.ApiKeyMissingFromCleanupIndex, keyId);
    }

    [Fact]
    public async Task AnIndexedApiKeyOfAUserIsConsistent()
    {
        var (userId, _) = await PlantUserAsync();
        await PlantApiKeyAsync(userId, indexed: true);

        var (violations, _) = await CheckAsync();

        Assert.Empty(violations);
    }

    private async Task<string> PlantApiKeyAsync(string userId, bool indexed)
    {
        var (keyId, _) = ApiKeyFormat.New(userId);
        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);
        await UserSessions.AddEntityAsync(new TableEntity(userId, ApiKeyEntity.RowKeyFor(keyId)) { [nameof(ApiKeyEntity.ExpiresAt)] = expiresAt });
        if (indexed)
        {
            await Index.AddEntityAsync(new TableEntity(ApiKeyExpiryIndex.Partition(expiresAt), keyId));
        }

        return keyId;
    }

    [Fact]
    public async Task FindsARowThatIsNeitherUserNorSession()
    {
        await UserSessions.AddEntityAsync(new TableEntity(Ids.New(), "stray"));

        await AssertFoundAsync(InvariantRules.UnknownRow, "stray");
    }

    [Fact]
    public async Task RunsTheRulesAddedForNewData()
    {
        var checker = new InvariantChecker(_service, _prefix);
        checker.ExtraRules.Add(new FixedRule(new Violation(InvariantRules.EmailLostFromOutbox, "planted")));

        var (violations, _) = await checker.CheckAsync();

        Assert.Equal(InvariantRules.EmailLostFromOutbox, Assert.Single(violations).Rule);
    }

    [Fact]
    public async Task FindsAStateChangeWithoutItsAuditEventAndAcceptsOnesWithTheirs()
    {
        var audit = _service.GetTableClient(_prefix + AuthTables.AuditEventsTable);
        await audit.CreateIfNotExistsAsync();
        var checker = new InvariantChecker(_service, _prefix);
        checker.ExtraRules.Add(new StateChangeWithoutEventRule());

        // Every session planted so far (one per user, by InitializeAsync) gets the login that opened it; one more ended by
        // a logout gets both events; sessions opened by a second factor or a passkey have theirs; an event without a
        // change (a sign-up that lost) is fine.
        var (userId, emailKey) = await PlantUserAsync();
        var ended = await PlantSessionAsync(userId, emailKey, revoked: true);
        var byCode = await PlantSessionAsync(userId, emailKey);
        var byPasskey = await PlantSessionAsync(userId, emailKey);
        var at = DateTimeOffset.UtcNow;
        await foreach (var session in UserSessions.QueryAsync<TableEntity>(e => e.RowKey.CompareTo("s:") >= 0 && e.RowKey.CompareTo("s;") < 0))
        {
            var sessionId = session.RowKey[2..];
            var opener = sessionId == byCode ? "mfa_succeeded" : sessionId == byPasskey ? "passkey_used" : "login_succeeded";
            await AddEventAsync(audit, session.PartitionKey, opener, sessionId, at);
        }

        await AddEventAsync(audit, userId, "logout", ended, at);
        await AddEventAsync(audit, Ids.New(), "signup", Ids.New(), at);
        var (sound, _) = await checker.CheckAsync();
        Assert.Empty(sound);

        var missing = await PlantSessionAsync(userId, emailKey);
        var (violations, _) = await checker.CheckAsync();
        var violation = Assert.Single(violations);
        Assert.Equal(InvariantRules.StateChangeWithoutEvent, violation.Rule);
        Assert.Contains(missing, violation.Detail, StringComparison.Ordinal);
    }

    private static async Task AddEventAsync(TableClient audit, string userId, string type, string sessionId, DateTimeOffset at) =>
        _ = await audit.AddEntityAsync(new AuditEventEntity
        {
            PartitionKey = userId,
            RowKey = AuditEventEntity.RowKeyFor(at, Ids.New()),
            Type = type,
            At = at,
            Actor = userId,
            SessionId = sessionId,
            Details = "{}",
        }.Write());

    private Task<(IReadOnlyList<Violation> Violations, TableSnapshot Snapshot)> CheckAsync() => new InvariantChecker(_service, _prefix).CheckAsync();

    private async Task AssertFoundAsync(string rule, string detail)
    {
        var (violations, _) = await CheckAsync();
        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.Equal(rule, v.Rule));
        Assert.Contains(violations, v => v.Detail.Contains(detail, StringComparison.Ordinal));
    }

    private async Task<(string UserId, string EmailKey)> PlantUserAsync(string? email = null)
    {
        email ??= $"user-{Guid.NewGuid():N}@example.com";
        var userId = Ids.New();
        var emailKey = EmailAddress.StorageKey(EmailAddress.Normalize(email));
        var account = new UserEntity { PartitionKey = emailKey, UserId = userId, Email = email, Roles = Roles.User, CreatedAt = DateTimeOffset.UtcNow, SecurityStamp = Ids.New(), Revision = 3 };
        await Users.AddEntityAsync(account.Write());
        await UserSessions.AddEntityAsync(UserRefEntity.Of(account).Write());
        await PlantSessionAsync(userId, emailKey);
        return (userId, emailKey);
    }

    private async Task<string> PlantSessionAsync(string userId, string emailKey, bool revoked = false, bool indexed = true)
    {
        var sessionId = Ids.New();
        var now = DateTimeOffset.UtcNow;
        await UserSessions.AddEntityAsync(new SessionEntity
        {
            PartitionKey = userId,
            RowKey = SessionEntity.RowKeyFor(sessionId),
            EmailKey = emailKey,
            CreatedAt = now,
            ExpiresAt = now.AddDays(30),
            RotatedAt = now,
            AccessTokenId = Ids.New(),
            Revoked = revoked,
            RevokedAt = revoked ? now : null,
            RevokedReason = revoked ? "logout" : null,
        });
        if (indexed)
        {
            await Index.AddEntityAsync(new SessionExpiryEntity { PartitionKey = SessionExpiryEntity.Bucket(now.AddDays(30)), RowKey = SessionExpiryEntity.RowKeyFor(userId, sessionId) });
        }

        return sessionId;
    }

    private sealed class FixedRule(Violation violation) : IInvariantRule
    {
        public Task<IEnumerable<Violation>> CheckAsync(TableServiceClient service, string tablePrefix, TableSnapshot snapshot, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Violation>>([violation]);
    }

    /// <summary>A counter keyed as the limiter keys it; returns its row key.</summary>
    private async Task<string> PlantCounterAsync(string address, int count)
    {
        var windowEnd = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
        var (partitionKey, rowKey) = RateLimitStore.KeyOf(RateLimitName.TokenRequestsPerAddress, address, windowEnd);
        await RateLimits.AddEntityAsync(new RateCounterEntity { PartitionKey = partitionKey, RowKey = rowKey, Count = count, WindowEnd = windowEnd });
        return rowKey;
    }
}
