using System.Net;
using System.Net.Sockets;

namespace FuncAuth.Functions.Http;

/// <summary>Which hops' <c>X-Forwarded-For</c> is believed (configuration section <c>Network</c>).</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>Comma-separated addresses or CIDR ranges of proxies in front of the app. Default: none.</summary>
    public string? TrustedProxies { get; set; }

    /// <summary>
    /// The header that carries the client address as the platform's front end wrote it (for example
    /// <c>X-Azure-ClientIP</c> behind Azure Front Door), read instead of <c>X-Forwarded-For</c>. Default: none.
    /// </summary>
    public string? ClientAddressHeader { get; set; }

    public IReadOnlyList<IPNetwork> TrustedNetworks() => Parse(TrustedProxies) ?? [];

    /// <summary>The header the client address is read from behind a trusted proxy.</summary>
    public string ForwardingHeader => string.IsNullOrWhiteSpace(ClientAddressHeader) ? "X-Forwarded-For" : ClientAddressHeader.Trim();

    /// <summary>Whether <see cref="ClientAddressHeader"/> is empty or a header name (an RFC 9110 token).</summary>
    public static bool IsHeaderName(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Trim().All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));

    /// <summary>The ranges, or null when an entry is neither an address nor a CIDR range.</summary>
    public static IReadOnlyList<IPNetwork>? Parse(string? value)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                address = Canonical(address);
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                return null;
            }
        }

        return networks;
    }

    internal static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
