using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Tokens;

/// <summary>
/// The signing keys in memory. The first request waits for the first load; later reloads replace the set
/// atomically, and a failed reload keeps the last good set so a Key Vault hiccup does not log anyone out.
/// </summary>
public sealed class SigningKeyRing(ISigningKeySource source, ILogger<SigningKeyRing> logger)
{
    private readonly Lock _gate = new();
    private volatile SigningKeySet? _current;
    private Task<SigningKeySet>? _loading;

    public bool IsLoaded => _current is not null;

    public async ValueTask<SigningKeySet> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current)
        {
            return current;
        }

        Task<SigningKeySet> loading;
        lock (_gate)
        {
            if (_loading is null || _loading.IsFaulted || _loading.IsCanceled)
            {
                _loading = ReloadAsync(CancellationToken.None);
            }

            loading = _loading;
        }

        return await loading.WaitAsync(cancellationToken);
    }

    /// <summary>Reads the enabled versions now. Throws <see cref="SigningKeyUnavailableException"/> when there are none.</summary>
    public async Task<SigningKeySet> ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var set = new SigningKeySet(await source.LoadAsync(cancellationToken));
            if (_current?.Current.Id != set.Current.Id || _current.All.Count != set.All.Count)
            {
                AuthLog.SigningKeysLoaded(logger, set.All.Count, set.Current.Id);
            }

            _current = set;
            return set;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            AuthLog.SigningKeysUnavailable(logger, e.GetType().Name, _current is not null);
            throw e as SigningKeyUnavailableException ?? new SigningKeyUnavailableException("The signing keys could not be loaded.", e);
        }
    }
}

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
