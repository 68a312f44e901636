using System.Net;
using Azure.Data.Tables;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.ApiKeys;

/// <summary>
/// Storage calls of API keys, counted: verifying a key is one point read, lastUsedAt is written at most once a minute
/// per key, and cleanup removes expired keys by their index.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyStorageTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, time: _time);
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ApiKeyUsage Usage => _app.Services.GetRequiredService<ApiKeyUsage>();

    private ApiKeyService Service => _app.Services.GetRequiredService<ApiKeyService>();

    [Fact]
    public async Task VerifyingAKeyIsOneReadPlusAtMostOneWriteAMinute()
    {
        var created = await _client.CreateKeyAsync((await _client.SignupAsync()).AccessToken);

        var first = await CountAsync(() => Service.VerifyAsync(created.Key, CancellationToken.None));
        var second = await CountAsync(() => Service.VerifyAsync(created.Key, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(59));
        var withinTheMinute = await CountAsync(() => Service.VerifyAsync(created.Key, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));
        var aMinuteLater = await CountAsync(() => Service.VerifyAsync(created.Key, CancellationToken.None));

        Assert.Equal([PartitionRead, Write(created.Id)], first);
        Assert.Equal([PartitionRead], second);
        Assert.Equal([PartitionRead], withinTheMinute);
        Assert.Equal([PartitionRead, Write(created.Id)], aMinuteLater);
    }

    [Fact]
    public async Task EveryRefusedKeyCostsTheSameOneReadAndNoWrite()
    {
        var user = await _client.SignupAsync();
        var created = await _client.CreateKeyAsync(user.AccessToken);

        foreach (var key in new[] { "garbage", "fa_" + created.Id + "_" + new string('A', 43), "fa_" + user.UserId + "0123456789abcdef_" + created.Secret })
        {
            var calls = await CountAsync(() => Service.VerifyAsync(key, CancellationToken.None));
            Assert.Single(calls);
            Assert.StartsWith("GET ", calls[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MeWithAKeyStaysWithinTheBudgetOfTwoReads()
    {
        var created = await _client.CreateKeyAsync((await _client.SignupAsync()).AccessToken);
        await (await _client.MeWithKeyAsync(created.Key)).Content.ReadAsStringAsync();
        await Usage.WhenIdleAsync();

        _app.StorageRequests.Reset();
        using var response = await _client.MeWithKeyAsync(created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _app.StorageRequests.Count);
    }

    [Fact]
    public async Task LastUsedAtIsWrittenAndShownInTheList()
    {
        var user = await _client.SignupAsync();
        var created = await _client.CreateKeyAsync(user.AccessToken);
        var usedAt = _time.GetUtcNow();

        using (await _client.MeWithKeyAsync(created.Key))
        {
        }

        await Usage.WhenIdleAsync();
        using var list = await _client.GetAsync("/api/auth/api-keys", user.AccessToken);
        Assert.Equal(usedAt, Assert.Single((await list.ReadJsonAsync()).EnumerateArray()).GetProperty("lastUsedAt").GetDateTimeOffset());
    }

    /// <summary>The short version of the load benchmark: 8 clients, several keys, a minute boundary crossed halfway.</summary>
    [Fact]
    public async Task EightClientsHammeringMeWriteLastUsedAtOncePerKeyPerMinute()
    {
        var user = await _client.SignupAsync();
        var keys = new List<CreatedKey>();
        for (var i = 0; i < 4; i++)
        {
            keys.Add(await _client.CreateKeyAsync(user.AccessToken, "worker " + i));
        }

        _app.StorageRequests.Reset();
        var requests = 0;
        async Task RunAsync(TimeSpan duration)
        {
            var stop = DateTime.UtcNow + duration;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(client => Task.Run(async () =>
            {
                var key = keys[client % keys.Count];
                while (DateTime.UtcNow < stop)
                {
                    using var response = await _client.MeWithKeyAsync(key.Key);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Interlocked.Increment(ref requests);
                }
            })));
        }

        await RunAsync(TimeSpan.FromSeconds(1.5));
        _time.Advance(TimeSpan.FromMinutes(1));
        await RunAsync(TimeSpan.FromSeconds(1.5));
        await Usage.WhenIdleAsync();

        var writes = _app.StorageRequests.Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        Assert.True(requests > 40, $"only {requests} requests");
        foreach (var key in keys)
        {
            Assert.Equal(2, writes.Count(w => w.Contains(ApiKeyEntity.RowKeyFor(key.Id), StringComparison.Ordinal)));
        }

        Assert.Equal(2 * keys.Count, writes.Count);
    }

    [Fact]
    public async Task ALostOrFailedLastUsedAtWriteIsLoggedAndNeverThrown()
    {
        var created = await _client.CreateKeyAsync((await _client.SignupAsync()).AccessToken);
        var row = (await _app.Table("UserSessions").GetEntityAsync<ApiKeyEntity>(created.Id[..32], ApiKeyEntity.RowKeyFor(created.Id))).Value;
        await _app.Table("UserSessions").UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { ["Name"] = "renamed" }, Azure.ETag.All);

        // The row changed since it was read: the conditional write loses (412), and says so in the log.
        Usage.Record(row);
        await Usage.WhenIdleAsync();
        Assert.Contains(_app.Logs.GetSnapshot(), r => r.Id.Id == 1205);

        // Storage is down: Record returns at once, the write fails in the background, and the failure is logged.
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var down = new TableServiceClient($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};TableEndpoint=http://127.0.0.1:{LoopbackPorts.FreePort()}/devstoreaccount1;", options);
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<ApiKeyUsage>();
        var usage = new ApiKeyUsage(
            new ApiKeyStore(new FuncAuth.Core.Storage.AuthTables(down, Microsoft.Extensions.Options.Options.Create(new FuncAuth.Core.Options.StorageOptions()))),
            _time,
            logger);

        usage.Record(row);
        await usage.WhenIdleAsync();

        Assert.Equal(1206, Assert.Single(logger.Collector.GetSnapshot()).Id.Id);
        Assert.DoesNotContain(created.Key, logger.Collector.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CleanupRemovesExpiredKeysAndLeavesLiveOnes()
    {
        var user = await _client.SignupAsync();
        var expiring = await _client.CreateKeyAsync(user.AccessToken, "short", expiresInDays: 1);
        var live = await _client.CreateKeyAsync(user.AccessToken, "long", expiresInDays: 30);
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));

        var removed = await _app.Services.GetRequiredService<ApiKeyCleanup>().RunAsync(100, CancellationToken.None);

        Assert.Equal(1, removed);
        var rows = await _app.Table("UserSessions").QueryAsync<TableEntity>(e => e.PartitionKey == user.UserId).Select(e => e.RowKey).ToListAsync();
        Assert.DoesNotContain(ApiKeyEntity.RowKeyFor(expiring.Id), rows);
        Assert.Contains(ApiKeyEntity.RowKeyFor(live.Id), rows);
        var index = await _app.Table("SessionExpiry").QueryAsync<TableEntity>().Select(e => e.RowKey).ToListAsync();
        Assert.DoesNotContain(expiring.Id, index);
        Assert.Contains(live.Id, index);
        Assert.Equal(0, await _app.Services.GetRequiredService<ApiKeyCleanup>().RunAsync(100, CancellationToken.None));
    }

    private async Task<IReadOnlyList<string>> CountAsync(Func<Task> action)
    {
        await Usage.WhenIdleAsync();
        _app.StorageRequests.Reset();
        await action();
        await Usage.WhenIdleAsync();
        return _app.StorageRequests.Requests;
    }

    // The key and its owner's profile copy (to check the account's state and stamp): one query of the owner's partition.
    private string PartitionRead => $"GET devstoreaccount1/{_app.Table("UserSessions").Name}()";

    private string Write(string keyId) => $"PATCH {Row(keyId)}";

    private string Row(string keyId) =>
        $"devstoreaccount1/{_app.Table("UserSessions").Name}(PartitionKey='{keyId[..32]}',RowKey='{ApiKeyEntity.RowKeyFor(keyId)}')";
}
