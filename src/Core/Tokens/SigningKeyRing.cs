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
public sealed class SigningKeyRing(ISigningKeySource source, IOptions<AuthOptions> options, TimeProvider time, ILogger<SigningKeyRing> logger)
{
    /// <summary>At most one reload per this interval is triggered by tokens naming a key this instance does not know.</summary>
    public static readonly TimeSpan UnknownKeyReloadInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private long _lastUnknownKeyReload = long.MinValue;
    private volatile SigningKeySet? _current;
    private Task<SigningKeySet>? _loading;
    private long _loadStarted;

    public async ValueTask<SigningKeySet> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current)
        {
            return current;
        }

        Task<SigningKeySet> loading;
        lock (_gate)
        {
            // While no key was ever loaded, retry on demand, but not more than once per second: an outage must not turn
            // every request into a Key Vault call.
            if (_loading is null
                || ((_loading.IsFaulted || _loading.IsCanceled) && time.GetElapsedTime(_loadStarted) >= TimeSpan.FromSeconds(1)))
            {
                _loadStarted = time.GetTimestamp();
                _loading = ReloadAsync(CancellationToken.None);
            }

            loading = _loading;
        }

        return await loading.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The key set after a token named <paramref name="keyId"/>, which the current set lacks. After a rotation another
    /// instance may already sign with the new version while this one has not reloaded yet; reloading at once (but not
    /// more than once per <see cref="UnknownKeyReloadInterval"/>, so forged kids cannot hammer Key Vault) closes that gap.
    /// </summary>
    public async ValueTask<SigningKeySet> GetWithKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var set = await GetAsync(cancellationToken);
        if (set.Find(keyId) is not null)
        {
            return set;
        }

        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastUnknownKeyReload);
        if ((last != long.MinValue && time.GetElapsedTime(last, now) < UnknownKeyReloadInterval)
            || Interlocked.CompareExchange(ref _lastUnknownKeyReload, now, last) != last)
        {
            return set;
        }

        try
        {
            return await ReloadAsync(cancellationToken);
        }
        catch (SigningKeyUnavailableException)
        {
            return set;
        }
    }

    /// <summary>Reads the enabled versions now. Throws <see cref="SigningKeyUnavailableException"/> when there are none.</summary>
    public async Task<SigningKeySet> ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var set = new SigningKeySet(await source.LoadAsync(cancellationToken), options.Value.KeyActivationDelay, time);
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
