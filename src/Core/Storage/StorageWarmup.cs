using Azure;
using FuncAuth.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Storage;

/// <summary>
/// Creates the tables (connection-string mode) in the background, retrying until storage answers, so the program
/// listens at once and reports progress through health instead of failing to start.
/// </summary>
public sealed class StorageWarmup(AuthTables tables, IOptions<StorageOptions> options, TimeProvider time) : BackgroundService
{
    private volatile bool _ready;

    /// <summary>True once the tables are known to exist.</summary>
    public bool IsReady => _ready || string.IsNullOrWhiteSpace(options.Value.ConnectionString);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.ConnectionString))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await tables.EnsureCreatedAsync(stoppingToken);
                _ready = true;
                return;
            }
            catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
            }
        }
    }
}
