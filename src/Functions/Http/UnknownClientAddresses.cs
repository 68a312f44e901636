using System.Net;

namespace FuncAuth.Functions.Http;

/// <summary>
/// Requests whose client address is not a client's (<see cref="ClientAddress"/>): counted by
/// <c>funcauth.client_address.unknown</c>, and a warning once per instance, because it usually means the proxies in
/// front of the app are not named in <c>Network__TrustedProxies</c> or the front end's header is not configured.
/// </summary>
public sealed partial class UnknownClientAddresses(ILogger<UnknownClientAddresses> logger, FuncAuth.Core.Diagnostics.AuthMetrics metrics)
{
    private int _warned;

    /// <param name="address">What the address resolved to; null when the connection had no peer address.</param>
    public void Seen(IPAddress? address)
    {
        metrics.ClientAddressUnknown();
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            Warn(logger, address?.ToString() ?? "(none)");
        }
    }

    [LoggerMessage(2300, LogLevel.Warning, "A request's client address resolved to {Address}, which is not public and not a trusted proxy: per-address limits are skipped for such requests (logged once per instance; counted by funcauth.client_address.unknown). Name the proxies in Network__TrustedProxies or set Network__ClientAddressHeader.")]
    private static partial void Warn(ILogger logger, string address);
}
