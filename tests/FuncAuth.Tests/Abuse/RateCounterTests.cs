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

    [Fact]
    public async Task BothFailureCountersOfAnAccountAreOneCallWhileOneInstanceServesIt()
    {
        var store = new RateLimitStore(_tables, _time);
        var slots = FailureSlots("a@example.test", "192.0.2.20", pairLimit: 10, accountLimit: 100);

        var costs = new List<string[]>();
        for (var i = 0; i < 3; i++)
        {
            _calls.Reset();
            Assert.NotNull((await store.TryIncrementAllAsync(slots, CancellationToken.None)).Lease);
            costs.Add([.. _calls.Requests.Select(StorageRequestCounter.Shape)]);
        }

        // Two inserts, then two replaces on the remembered ETags: one transaction each time.
        Assert.All(costs, c => Assert.Equal(["POST $batch"], c));
        Assert.Equal((3, 3), (await StoredAsync(slots[0]), await StoredAsync(slots[1])));
    }

    [Fact]
    public async Task ConcurrentGuessesFromTwoAddressesOnTwoInstancesStopExactlyAtBothFailureLimits()
    {
        var first = new RateLimitStore(_tables, _time);
        var second = new RateLimitStore(Tables(new StorageRequestCounter()), _time);
        var addresses = new[] { "192.0.2.21", "192.0.2.22" };

        // 24 guesses from each address, half on each instance, all at once: the per-address limit (9) stops each
        // address, the per-account limit (15) stops the two together, and no count is lost or added.
        var attempts = await Task.WhenAll(Enumerable.Range(0, 48).Select(async i =>
        {
            var address = addresses[i % 2];
            var (lease, _) = await (i / 2 % 2 == 0 ? first : second).TryIncrementAllAsync(
                FailureSlots("b@example.test", address, pairLimit: 9, accountLimit: 15), CancellationToken.None);
            return (address, Granted: lease is not null);
        }));

        var granted = attempts.Where(a => a.Granted).GroupBy(a => a.address).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(15, granted.Values.Sum());
        Assert.All(granted.Values, n => Assert.InRange(n, 6, 9));
        Assert.Equal(15, await StoredAsync(FailureSlots("b@example.test", null, 9, 15)[0]));
        foreach (var address in addresses)
        {
            Assert.Equal(granted[address], await StoredAsync(FailureSlots("b@example.test", address, 9, 15)[0]));
        }
    }

    [Fact]
    public async Task ARefusedGuessTakesNoCountFromTheOtherFailureLimit()
    {
        var store = new RateLimitStore(_tables, _time);
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull((await store.TryIncrementAllAsync(FailureSlots("c@example.test", "192.0.2.23", 3, 100), CancellationToken.None)).Lease);
        }

        var (lease, full) = await store.TryIncrementAllAsync(FailureSlots("c@example.test", "192.0.2.23", 3, 100), CancellationToken.None);

        Assert.Null(lease);
        Assert.Equal(0, full); // the per-account-and-address counter
        Assert.Equal(3, await StoredAsync(FailureSlots("c@example.test", null, 3, 100)[0]));
    }

    [Fact]
    public async Task BothCountsGivenBackOnTheOtherInstanceAfterItMovedThemLeaveExactlyItsOwn()
    {
        var first = new RateLimitStore(_tables, _time);
        var second = new RateLimitStore(Tables(new StorageRequestCounter()), _time);
        var slots = FailureSlots("d@example.test", "192.0.2.24", 10, 100);
        var lease = Assert.IsType<RateLimitLease>((await first.TryIncrementAllAsync(slots, CancellationToken.None)).Lease);
        Assert.NotNull((await second.TryIncrementAllAsync(slots, CancellationToken.None)).Lease);

        // The lease's ETags are stale (the second instance moved both counters): the give-back reads and writes again.
        await first.ReleaseAsync(lease, CancellationToken.None);
        Assert.Equal((1, 1), (await StoredAsync(slots[0]), await StoredAsync(slots[1])));

        await second.ReleaseAsync(Assert.IsType<RateLimitLease>((await second.TryIncrementAllAsync(slots, CancellationToken.None)).Lease), CancellationToken.None);
        Assert.Equal((1, 1), (await StoredAsync(slots[0]), await StoredAsync(slots[1])));
    }

    private CounterSlot[] FailureSlots(string account, string? address, int pairLimit, int accountLimit)
    {
        var pairEnd = WindowEnd;
        var accountEnd = WindowEnd.AddMinutes(55);
        var rows = RateLimitStore.LoginFailureKeys(account, address, accountEnd, pairEnd);
        CounterSlot accountSlot = new(rows.PartitionKey, rows.AccountRow, accountLimit, accountEnd);
        return rows.PairRow is null ? [accountSlot] : [new(rows.PartitionKey, rows.PairRow, pairLimit, pairEnd), accountSlot];
    }

    private async Task<int?> StoredAsync(CounterSlot slot)
    {
        var row = await new TableServiceClient(azurite.ConnectionString).GetTableClient(_prefix + AuthTables.RateLimitsTable)
            .GetEntityIfExistsAsync<TableEntity>(slot.PartitionKey, slot.RowKey);
        return row.HasValue ? row.Value!.GetInt32("Count") : null;
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
