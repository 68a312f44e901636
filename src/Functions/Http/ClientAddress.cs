using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Primitives;

namespace FuncAuth.Functions.Http;

/// <summary>Which hops' <c>X-Forwarded-For</c> is believed (configuration section <c>Network</c>).</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>Comma-separated addresses or CIDR ranges of proxies in front of the app. Default: none.</summary>
    public string? TrustedProxies { get; set; }

    public IReadOnlyList<IPNetwork> TrustedNetworks() => Parse(TrustedProxies) ?? [];

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

/// <summary>
/// The client address of API-v2 §4: the address the platform's front end saw. Starting from the connection's peer, as
/// long as the hop is a trusted proxy, step one entry left in <c>X-Forwarded-For</c>; the first address that is not a
/// trusted proxy is the client. Entries left of it were written by the client or by hops nobody vouches for, so a
/// client that adds its own values changes nothing: the rightmost untrusted entry is the one the trusted front end
/// appended. With no trusted proxies the header is ignored.
/// </summary>
public static class ClientAddress
{
    private const string ItemKey = "FuncAuth.ClientAddress";

    /// <summary>The client's address for this request (resolved once per request).</summary>
    public static IPAddress Of(HttpContext context)
    {
        if (context.Items[ItemKey] is IPAddress cached)
        {
            return cached;
        }

        var trusted = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<NetworkOptions>>().Value.TrustedNetworks();
        var address = Resolve(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"], trusted);
        context.Items[ItemKey] = address;
        return address;
    }

    /// <summary>The key the limits count the address under: IPv4 as is, IPv6 by its /64 (what one subscriber is given).</summary>
    public static string KeyOf(HttpContext context) => Key(Of(context));

    public static string Key(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public static IPAddress Resolve(IPAddress? peer, StringValues forwardedFor, IReadOnlyList<IPNetwork> trusted)
    {
        var current = NetworkOptions.Canonical(peer ?? IPAddress.IPv6None);
        if (!IsTrusted(current, trusted))
        {
            return current;
        }

        var entries = forwardedFor.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries)).ToArray();
        for (var i = entries.Length - 1; i >= 0; i--)
        {
            // An entry a trusted hop wrote that is not an address: stop at that hop rather than guess.
            if (!TryParseEntry(entries[i], out var next))
            {
                return current;
            }

            current = next;
            if (!IsTrusted(current, trusted))
            {
                return current;
            }
        }

        return current;
    }

    /// <summary>An address as front ends write it: <c>203.0.113.7</c>, <c>203.0.113.7:51234</c>, <c>2001:db8::1</c>, <c>[2001:db8::1]:443</c>.</summary>
    internal static bool TryParseEntry(string entry, out IPAddress address)
    {
        address = IPAddress.None;
        var text = entry.Trim().Trim('"');
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            text = text[1..close];
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (!ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return false;
            }

            text = text[..colon];
        }

        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }

        // IPAddress.TryParse also accepts "1" or "0x7f.1"; only the usual dotted or colon forms are addresses here.
        if (parsed.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3)
        {
            return false;
        }

        address = NetworkOptions.Canonical(parsed);
        return true;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trusted)
    {
        foreach (var network in trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
