using Azure.Data.Tables;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Core;

/// <summary>
/// The rows' written-out mapping (<see cref="ITableRow{TSelf}"/>) against the SDK's reflection mapping of the same
/// classes, through a real Azurite: a row stored by either reads back equal through the other, so rows stored before
/// the change keep their meaning and no column is forgotten on either side.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableRowMappingTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 3, 14, 5, 6, 789, TimeSpan.Zero);
    private TableClient _table = null!;

    public async Task InitializeAsync()
    {
        _table = new TableServiceClient(azurite.ConnectionString).GetTableClient("rows" + Guid.NewGuid().ToString("N")[..12]);
        await _table.CreateAsync();
    }

    public async Task DisposeAsync() => await _table.DeleteAsync();

    public static TheoryData<string> Rows() => ["user", "userRef", "legacyUserRef", "session", "revokedSession", "expiry", "apiKey", "unusedApiKey", "counter"];

    private static ITableEntity Sample(string name) => name switch
    {
        "user" => new UserEntity
        {
            PartitionKey = "e-" + name, RowKey = "", UserId = "u1", Email = "a@example.com", Name = "Ada", Roles = "admin,user",
            PasswordHash = "AQAAAA==", CreatedAt = At, EmailVerified = true, Disabled = true, SecurityStamp = "stamp", AdminEmailGranted = true, Revision = 7,
        },
        "userRef" => new UserRefEntity
        {
            PartitionKey = "u-" + name, EmailKey = "e1", Email = "a@example.com", Name = "Ada", Roles = "admin,user", CreatedAt = At,
            EmailVerified = true, Disabled = true, SecurityStamp = "stamp", Revision = 7,
        },
        "legacyUserRef" => new UserRefEntity { PartitionKey = "u-" + name, EmailKey = "e1" },
        "session" => new SessionEntity
        {
            PartitionKey = "u-" + name, RowKey = SessionEntity.RowKeyFor("s1"), EmailKey = "e1", CreatedAt = At, UserAgent = "Firefox",
            ExpiresAt = At.AddDays(30), Counter = 5_000_000_000, RefreshKeyId = "k1", RotatedAt = At.AddMinutes(1),
            AccessTokenId = "j1", AccessIssuedAt = At.AddMinutes(2), AccessKeyId = "k2", SecurityStamp = "stamp", IndexedDueAt = At.AddDays(30),
        },
        "revokedSession" => Revoked(),
        "expiry" => new SessionExpiryEntity { PartitionKey = "2026110314", RowKey = "u1_s1" },
        "apiKey" => new ApiKeyEntity
        {
            PartitionKey = "u-" + name, RowKey = ApiKeyEntity.RowKeyFor("k1"), Name = "ci", Scope = "user", Digest = [1, 2, 3, 255],
            EmailKey = "e1", SecurityStamp = "stamp", CreatedAt = At, ExpiresAt = At.AddDays(90), LastUsedAt = At.AddHours(1),
        },
        "unusedApiKey" => new ApiKeyEntity
        {
            PartitionKey = "u-" + name, RowKey = ApiKeyEntity.RowKeyFor("k2"), Name = "ci", Scope = "user", Digest = [9], EmailKey = "e1",
            CreatedAt = At, ExpiresAt = At.AddDays(90),
        },
        "counter" => new RateCounterEntity { PartitionKey = "07-001796472000", RowKey = "login-abc", Count = 7, WindowEnd = At },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static SessionEntity Revoked()
    {
        var session = new SessionEntity { PartitionKey = "u-revoked", RowKey = SessionEntity.RowKeyFor("s2"), EmailKey = "e1", CreatedAt = At, ExpiresAt = At };
        session.Revoke(RevocationReason.RefreshTokenReused, At.AddSeconds(3));
        return session;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task ARowStoredByTheSdksMappingReadsBackEqualThroughTheWrittenOutOne(string name)
    {
        var row = Sample(name);
        await AddTypedAsync(row);

        var read = await ReadWrittenOutAsync(row);

        AssertSameColumns(row, read);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task ARowStoredByTheWrittenOutMappingReadsBackEqualThroughTheSdksOne(string name)
    {
        var row = Sample(name);
        await _table.AddEntityAsync(Write(row));

        var read = await ReadTypedAsync(row);

        AssertSameColumns(row, read);
    }

    private static void AssertSameColumns(ITableEntity expected, ITableEntity actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        var columns = expected.GetType().GetProperties().Where(p => p.CanWrite && p.Name is not nameof(ITableEntity.Timestamp) and not nameof(ITableEntity.ETag)).ToList();
        Assert.NotEmpty(columns);
        foreach (var column in columns)
        {
            Assert.True(Equals(Normalise(column.GetValue(expected)), Normalise(column.GetValue(actual))), $"{expected.GetType().Name}.{column.Name} differs");
        }

        Assert.NotEqual(default, actual.ETag);
    }

    private static object? Normalise(object? value) => value is byte[] bytes ? Convert.ToBase64String(bytes) : value;

    private static TableEntity Write(ITableEntity row) => row switch
    {
        UserEntity r => r.Write(),
        UserRefEntity r => r.Write(),
        SessionEntity r => r.Write(),
        SessionExpiryEntity r => r.Write(),
        ApiKeyEntity r => r.Write(),
        RateCounterEntity r => r.Write(),
        _ => throw new ArgumentOutOfRangeException(nameof(row)),
    };

    private Task AddTypedAsync(ITableEntity row) => row switch
    {
        UserEntity r => _table.AddEntityAsync(r),
        UserRefEntity r => _table.AddEntityAsync(r),
        SessionEntity r => _table.AddEntityAsync(r),
        SessionExpiryEntity r => _table.AddEntityAsync(r),
        ApiKeyEntity r => _table.AddEntityAsync(r),
        RateCounterEntity r => _table.AddEntityAsync(r),
        _ => throw new ArgumentOutOfRangeException(nameof(row)),
    };

    private async Task<ITableEntity> ReadWrittenOutAsync(ITableEntity row) => row switch
    {
        UserEntity => (await _table.GetRowAsync<UserEntity>(row.PartitionKey, row.RowKey, default))!,
        UserRefEntity => (await _table.GetRowAsync<UserRefEntity>(row.PartitionKey, row.RowKey, default))!,
        SessionEntity => (await _table.GetRowAsync<SessionEntity>(row.PartitionKey, row.RowKey, default))!,
        SessionExpiryEntity => (await _table.GetRowAsync<SessionExpiryEntity>(row.PartitionKey, row.RowKey, default))!,
        ApiKeyEntity => (await _table.GetRowAsync<ApiKeyEntity>(row.PartitionKey, row.RowKey, default))!,
        RateCounterEntity => (await _table.GetRowAsync<RateCounterEntity>(row.PartitionKey, row.RowKey, default))!,
        _ => throw new ArgumentOutOfRangeException(nameof(row)),
    };

    private async Task<ITableEntity> ReadTypedAsync(ITableEntity row) => row switch
    {
        UserEntity => (await _table.GetEntityAsync<UserEntity>(row.PartitionKey, row.RowKey)).Value,
        UserRefEntity => (await _table.GetEntityAsync<UserRefEntity>(row.PartitionKey, row.RowKey)).Value,
        SessionEntity => (await _table.GetEntityAsync<SessionEntity>(row.PartitionKey, row.RowKey)).Value,
        SessionExpiryEntity => (await _table.GetEntityAsync<SessionExpiryEntity>(row.PartitionKey, row.RowKey)).Value,
        ApiKeyEntity => (await _table.GetEntityAsync<ApiKeyEntity>(row.PartitionKey, row.RowKey)).Value,
        RateCounterEntity => (await _table.GetEntityAsync<RateCounterEntity>(row.PartitionKey, row.RowKey)).Value,
        _ => throw new ArgumentOutOfRangeException(nameof(row)),
    };
}
