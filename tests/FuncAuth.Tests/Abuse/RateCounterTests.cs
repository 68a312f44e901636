using Azure.Core;
using Azure.Data.Tables;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Abuse;

/// <summary>
/// The shared counters behind the limits, two instances of the store over one real Azurite: the ETag an instance
/// remembers saves it the read while it alone serves a key, and never costs a count when the other instance moved the
/// counter meanwhile.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RateCounterTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const RateLimitName Limit = RateLimitName.TokenRequestsPerAddress;
    private static readonly DateTimeOffset WindowEnd = new(2026, 12, 2, 10, 5, 0, TimeSpan.Zero);

    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10];
    private readonly FakeTimeProvider _time = new(WindowEnd.AddMinutes(-4));
    private readonly StorageRequestCounter _calls = new();
    private AuthTables _tables = null!;

    public async Task InitializeAsync()
    {
        _tables = Tables(_calls);
        await _tables.EnsureCreatedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        var service = new TableServiceClient(azurite.ConnectionString);
        foreach (var table in new[] { AuthTables.UsersTable, AuthTables.UserSessionsTable, AuthTables.SessionExpiryTable, AuthTables.RateLimitsTable, AuthTables.AuditEventsTable })
        {
            await service.DeleteTableAsync(_prefix + table);
        }
    }

    [Fact]
    public async Task WhileOneInstanceServesAKeyEachIncrementAfterTheFirstIsOneCall()
    {
        var store = new RateLimitStore(_tables, _time);

        var costs = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            _calls.Reset();
            Assert.NotNull(await store.TryIncrementAsync(Limit, "192.0.2.10", 10, WindowEnd, CancellationToken.None));
            costs.Add(_calls.Count);
        }

        Assert.Equal([1, 1, 1, 1, 1], costs);
        Assert.Equal(5, await StoredCountAsync("192.0.2.10"));
    }

    [Fact]
    public async Task IncrementsAlternatingAndRacingAcrossTwoInstancesStopExactlyAtTheLimit()
    {
        var first = new RateLimitStore(_tables, _time);
        var second = new RateLimitStore(Tables(new StorageRequestCounter()), _time);

        var granted = 0;
        for (var i = 0; i < 6; i++)
        {
            granted += await (i % 2 == 0 ? first : second).TryIncrementAsync(Limit, "192.0.2.11", 20, WindowEnd, CancellationToken.None) is null ? 0 : 1;
        }

        var burst = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            (i % 2 == 0 ? first : second).TryIncrementAsync(Limit, "192.0.2.11", 20, WindowEnd, CancellationToken.None)));
        granted += burst.Count(lease => lease is not null);

        Assert.Equal(20, granted);
        Assert.Equal(20, await StoredCountAsync("192.0.2.11"));
    }

    [Fact]
    public async Task ACountGivenBackOnTheOtherInstanceIsNotRefusedFromAStaleMemory()
    {
        var first = new RateLimitStore(_tables, _time);
        var second = new RateLimitStore(Tables(new StorageRequestCounter()), _time);

        var leases = new List<RateLimitLease>();
        for (var i = 0; i < 3; i++)
        {
            leases.Add(Assert.IsType<RateLimitLease>(await first.TryIncrementAsync(Limit, "192.0.2.12", 3, WindowEnd, CancellationToken.None)));
        }

        // The first instance remembers the counter full; the second gives one back.
        await second.ReleaseAsync(leases[0], CancellationToken.None);

        Assert.NotNull(await first.TryIncrementAsync(Limit, "192.0.2.12", 3, WindowEnd, CancellationToken.None));
        Assert.Equal(3, await StoredCountAsync("192.0.2.12"));
        Assert.Null(await first.TryIncrementAsync(Limit, "192.0.2.12", 3, WindowEnd, CancellationToken.None));
    }

    [Fact]
    public async Task AReleaseAfterLaterIncrementsOnTheSameInstanceTakesBackExactlyOne()
    {
        var store = new RateLimitStore(_tables, _time);
        var lease = Assert.IsType<RateLimitLease>(await store.TryIncrementAsync(Limit, "192.0.2.13", 10, WindowEnd, CancellationToken.None));
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await store.TryIncrementAsync(Limit, "192.0.2.13", 10, WindowEnd, CancellationToken.None));
        }

        _calls.Reset();
        await store.ReleaseAsync(lease, CancellationToken.None);

        Assert.Single(_calls.Requests); // the remembered ETag is the current one: no lost race, no read
        Assert.Equal(3, await StoredCountAsync("192.0.2.13"));
        Assert.NotNull(await store.TryIncrementAsync(Limit, "192.0.2.13", 10, WindowEnd, CancellationToken.None));
        Assert.Equal(4, await StoredCountAsync("192.0.2.13"));
    }

    [Fact]
    public async Task ACounterClearedElsewhereStartsAgainFromOne()
    {
        var first = new RateLimitStore(_tables, _time);
        var second = new RateLimitStore(Tables(new StorageRequestCounter()), _time);
        for (var i = 0; i < 4; i++)
        {
            Assert.NotNull(await first.TryIncrementAsync(Limit, "192.0.2.14", 10, WindowEnd, CancellationToken.None));
        }

        await second.ClearAsync(Limit, "192.0.2.14", WindowEnd, CancellationToken.None);

        Assert.NotNull(await first.TryIncrementAsync(Limit, "192.0.2.14", 10, WindowEnd, CancellationToken.None));
        Assert.Equal(1, await StoredCountAsync("192.0.2.14"));
    }

    private AuthTables Tables(StorageRequestCounter counter)
    {
        var options = new TableClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        return new AuthTables(new TableServiceClient(azurite.ConnectionString, options), Microsoft.Extensions.Options.Options.Create(new StorageOptions { TablePrefix = _prefix }));
    }

    private async Task<int?> StoredCountAsync(string key)
    {
        var (partitionKey, rowKey) = RateLimitStore.KeyOf(Limit, key, WindowEnd);
        var row = await new TableServiceClient(azurite.ConnectionString).GetTableClient(_prefix + AuthTables.RateLimitsTable)
            .GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey);
        return row.HasValue ? row.Value!.GetInt32("Count") : null;
    }
}
