using System.Net;
using FuncAuth.Functions.Http;
using Microsoft.Extensions.Primitives;

namespace FuncAuth.Tests.Abuse;

/// <summary>API-v2 §4: the client address is the rightmost X-Forwarded-For entry that is not a trusted proxy.</summary>
public sealed class ClientAddressTests
{
    private static readonly IReadOnlyList<IPNetwork> HostOnLoopback = NetworkOptions.Parse("127.0.0.1,::1")!;
    private static readonly IPAddress Host = IPAddress.Loopback;

    [Fact]
    public void WithoutTrustedProxiesTheHeaderIsIgnored()
    {
        var address = ClientAddress.Resolve(IPAddress.Parse("203.0.113.5"), "198.51.100.1", []);

        Assert.Equal(IPAddress.Parse("203.0.113.5"), address);
    }

    [Fact]
    public void AnUntrustedPeerIsTheClientWhateverItsHeaderSays()
    {
        var address = ClientAddress.Resolve(IPAddress.Parse("203.0.113.5"), "198.51.100.1", HostOnLoopback);

        Assert.Equal(IPAddress.Parse("203.0.113.5"), address);
    }

    [Fact]
    public void BehindATrustedHopTheEntryTheFrontEndAppendedIsTheClient()
    {
        Assert.Equal(IPAddress.Parse("203.0.113.5"), ClientAddress.Resolve(Host, "203.0.113.5", HostOnLoopback));
        Assert.Equal(IPAddress.Parse("203.0.113.5"), ClientAddress.Resolve(Host, "203.0.113.5:51234", HostOnLoopback));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), ClientAddress.Resolve(Host, "[2001:db8::7]:443", HostOnLoopback));
    }

    [Fact]
    public void ValuesTheClientPrependsChangeNothing()
    {
        StringValues[] spoofed =
        [
            "198.51.100.1, 203.0.113.5",
            "127.0.0.1, 203.0.113.5",
            "not-an-address, 203.0.113.5",
            new(["198.51.100.1", "203.0.113.5:40000"]),
        ];

        foreach (var header in spoofed)
        {
            Assert.Equal(IPAddress.Parse("203.0.113.5"), ClientAddress.Resolve(Host, header, HostOnLoopback));
        }
    }

    [Fact]
    public void SeveralTrustedHopsAreSkipped()
    {
        var trusted = NetworkOptions.Parse("127.0.0.1, 10.0.0.0/8")!;

        Assert.Equal(IPAddress.Parse("203.0.113.5"), ClientAddress.Resolve(Host, "198.51.100.1, 203.0.113.5, 10.1.2.3", trusted));
    }

    [Fact]
    public void AnEntryThatIsNotAnAddressStopsAtTheHopThatWroteIt()
    {
        Assert.Equal(Host, ClientAddress.Resolve(Host, "203.0.113.5, garbage", HostOnLoopback));
        Assert.Equal(Host, ClientAddress.Resolve(Host, "0x7f.1", HostOnLoopback));
    }

    [Fact]
    public void NoHeaderBehindATrustedHopMeansTheHopItself()
    {
        Assert.Equal(Host, ClientAddress.Resolve(Host, StringValues.Empty, HostOnLoopback));
    }

    [Fact]
    public void IPv6AddressesAreCountedByTheirSlash64AndMappedIPv4AsIPv4()
    {
        Assert.Equal(ClientAddress.Key(IPAddress.Parse("2001:db8:1:2::1")), ClientAddress.Key(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(ClientAddress.Key(IPAddress.Parse("2001:db8:1:2::1")), ClientAddress.Key(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal("203.0.113.5", ClientAddress.Key(ClientAddress.Resolve(IPAddress.Parse("::ffff:203.0.113.5"), StringValues.Empty, [])));
    }

    [Fact]
    public void TrustedProxiesThatAreNotAddressesAreRefused()
    {
        Assert.Null(NetworkOptions.Parse("127.0.0.1, localhost"));
        Assert.Equal(2, NetworkOptions.Parse(" 10.0.0.0/8 , ::1 ")!.Count);
    }
}
