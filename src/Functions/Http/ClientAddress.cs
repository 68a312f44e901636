using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Primitives;

namespace FuncAuth.Functions.Http;

/// <summary>
/// The client address of README's "Abuse resistance": the address the platform's front end saw. Starting from the connection's peer, as
/// long as the hop is a trusted proxy, step one entry left in <c>X-Forwarded-For</c> (or in the header
/// <c>Network__ClientAddressHeader</c> names); the first address that is not a trusted proxy is the client. Entries
/// left of it were written by the client or by hops nobody vouches for, so a client that adds its own values changes
/// nothing: the rightmost untrusted entry is the one the trusted front end appended. With no trusted proxies the header
/// is ignored.
/// <para>
/// The address fails safe (docs/api.md): when it is absent, loopback, private (RFC 1918, RFC 4193), link-local or CGNAT
/// and not itself named a trusted proxy, it is not a client's address but a hop of the platform, which every client
/// would share. Nor is a trusted proxy that the forwarding header named (the Functions host's proxy writes its own peer
/// there, which may be loopback): a named proxy counts as a client only when it is the connection's peer and nothing
/// was forwarded. Such a request has no address key, and the per-address limits are skipped for it; the per-account
/// limits and the hash bulkhead still apply.
/// </para>
/// </summary>
public static class ClientAddress
{
    private const string ItemKey = "FuncAuth.ClientAddress";

    // Addresses that are never a client's own on the internet: a hop of the platform when they reach the limits.
    private static readonly IPNetwork[] NotPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
    ];

    /// <summary>
    /// The key the per-address limits count this request under (resolved once per request), or null when the
    /// address is not a client's (see the class summary), or when the limits are off: then the per-address limits do
    /// not apply to the request.
    /// </summary>
    public static string? KeyOf(HttpContext context)
    {
        if (context.Items[ItemKey] is Resolved resolved)
        {
            return resolved.Key;
        }

        if (!context.RequestServices.GetRequiredService<FuncAuth.Core.Abuse.AbuseLimits>().Enabled)
        {
            return null;
        }

        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<NetworkOptions>>().Value;
        var peer = context.Connection.RemoteIpAddress;
        var forwarded = context.Request.Headers[options.ForwardingHeader];
        var trusted = options.TrustedNetworks();
        var proxied = forwarded.Count > 0 || context.Request.Headers.ContainsKey("X-Forwarded-For") || context.Request.Headers.ContainsKey("Forwarded");
        string? key = null;
        if (Client(peer, forwarded, trusted, proxied) is { } client)
        {
            key = Key(client);
        }
        else
        {
            context.RequestServices.GetRequiredService<UnknownClientAddresses>().Seen(peer is null ? null : Resolve(peer, forwarded, trusted));
        }

        context.Items[ItemKey] = new Resolved(key);
        return key;
    }

    /// <summary>
    /// The client's address (<see cref="Resolve"/>) when it can stand for one client, else null: the peer is absent,
    /// or the address is loopback, private, link-local or CGNAT and not a trusted proxy, or it is a trusted proxy that
    /// <paramref name="forwardedFor"/> named (a trusted proxy counts only as the peer of a request that forwards nothing,
    /// as the operator chose by naming it). <paramref name="proxied"/>: the request carries a forwarding header of any
    /// kind (one other than the header read, too), so a trusted peer is a proxy and not the client.
    /// </summary>
    public static IPAddress? Client(IPAddress? peer, StringValues forwardedFor, IReadOnlyList<IPNetwork> trusted, bool proxied = false)
    {
        if (peer is null)
        {
            return null;
        }

        var address = Resolve(peer, forwardedFor, trusted);
        if (IsTrusted(address, trusted))
        {
            return !proxied && forwardedFor.All(string.IsNullOrWhiteSpace) ? address : null;
        }

        return NotPublic.Any(n => n.Contains(address)) ? null : address;
    }

    /// <summary>
    /// The client address for the audit trail, resolved as for the limits but whether or not they are on: the address
    /// and null when it is a client's, else what it resolved to with why it stands for no one client (<c>absent</c>,
    /// <c>loopback</c>, <c>private</c>, <c>link_local</c>, <c>cgnat</c>, <c>unspecified</c>, <c>trusted_proxy</c>).
    /// </summary>
    public static (string? Address, string? Class) Describe(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<NetworkOptions>>().Value;
        var peer = context.Connection.RemoteIpAddress;
        if (peer is null)
        {
            return (null, "absent");
        }

        var forwarded = context.Request.Headers[options.ForwardingHeader];
        var trusted = options.TrustedNetworks();
        var proxied = forwarded.Count > 0 || context.Request.Headers.ContainsKey("X-Forwarded-For") || context.Request.Headers.ContainsKey("Forwarded");
        var resolved = Resolve(peer, forwarded, trusted);
        if (Client(peer, forwarded, trusted, proxied) is { } client)
        {
            return (client.ToString(), null);
        }

        return (resolved.ToString(), IsTrusted(resolved, trusted) ? "trusted_proxy" : Classify(resolved));
    }

    private static string Classify(IPAddress address) => address switch
    {
        _ when IPAddress.IsLoopback(address) => "loopback",
        _ when IPNetwork.Parse("100.64.0.0/10").Contains(address) => "cgnat",
        _ when IPNetwork.Parse("169.254.0.0/16").Contains(address) || IPNetwork.Parse("fe80::/10").Contains(address) => "link_local",
        _ when IPNetwork.Parse("0.0.0.0/8").Contains(address) || IPNetwork.Parse("::/128").Contains(address) => "unspecified",
        _ => "private",
    };

    /// <summary>The key the limits count the address under: IPv4 as is, IPv6 by its /64 (what one subscriber is given).</summary>
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

    private sealed record Resolved(string? Key);
}
