using FuncAuth.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Tokens;

/// <summary>Loads the keys at start, in the background (the host must see the port open quickly), then periodically.</summary>
public sealed class SigningKeyRefresher(
    SigningKeyRing ring,
    IOptions<KeyVaultOptions> options,
    TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        do
        {
            try
            {
                await ring.ReloadAsync(stoppingToken);
            }
            catch (SigningKeyUnavailableException)
            {
                // Already logged; requests answer 503 until a reload succeeds.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
