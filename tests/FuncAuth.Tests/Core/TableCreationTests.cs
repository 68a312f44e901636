using Azure.Core;
using Azure.Data.Tables;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Core;

/// <summary>Creating the tables at start (connection-string mode), against a real Azurite: only what is missing, one call when nothing is.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableCreationTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly string[] Names = [AuthTables.UsersTable, AuthTables.UserSessionsTable, AuthTables.SessionExpiryTable, AuthTables.RateLimitsTable, AuthTables.AuthorizationRequestsTable, AuthTables.AuditEventsTable];
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10];
    private readonly StorageRequestCounter _calls = new();
    private TableServiceClient _service = null!;

    public Task InitializeAsync()
    {
        var options = new TableClientOptions();
        options.AddPolicy(_calls, HttpPipelinePosition.PerCall);
        _service = new TableServiceClient(azurite.ConnectionString, options);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var name in Names)
        {
            await _service.DeleteTableAsync(_prefix + name);
        }
    }

    [Fact]
    public async Task TheFirstStartCreatesEveryTableALaterOneOnlyLooksAndAMissingOneIsMadeAgain()
    {
        var tables = new AuthTables(_service, Microsoft.Extensions.Options.Options.Create(new StorageOptions { TablePrefix = _prefix }));

        await tables.EnsureCreatedAsync(CancellationToken.None);
        Assert.Equal(["GET Tables", "POST Tables", "POST Tables", "POST Tables", "POST Tables", "POST Tables", "POST Tables"], _calls.Requests.Select(StorageRequestCounter.Shape));
        Assert.Equal(Names.Select(n => _prefix + n).Order(), await ExistingAsync());

        _calls.Reset();
        await tables.EnsureCreatedAsync(CancellationToken.None);
        Assert.Equal(["GET Tables"], _calls.Requests.Select(StorageRequestCounter.Shape));

        await _service.DeleteTableAsync(_prefix + AuthTables.RateLimitsTable);
        _calls.Reset();
        await tables.EnsureCreatedAsync(CancellationToken.None);
        Assert.Equal(["GET Tables", "POST Tables"], _calls.Requests.Select(StorageRequestCounter.Shape));
        Assert.Equal(Names.Select(n => _prefix + n).Order(), await ExistingAsync());
    }

    private async Task<IEnumerable<string>> ExistingAsync()
    {
        var names = new List<string>();
        await foreach (var table in _service.QueryAsync(TableClient.CreateQueryFilter($"TableName ge {_prefix} and TableName lt {_prefix + "~"}")))
        {
            names.Add(table.Name);
        }

        return names.Order();
    }
}
