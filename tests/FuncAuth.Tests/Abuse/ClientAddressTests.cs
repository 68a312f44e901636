using System.Net;
using FuncAuth.Functions.Http;
using Microsoft.Extensions.Primitives;

namespace FuncAuth.Tests.Abuse;

/// <summary>
/// The client address is the rightmost X-Forwarded-For entry that is not a trusted proxy; since v3, an
/// address that cannot stand for one client (absent, loopback, private, link-local, CGNAT) is none.
/// </summary>
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

    [Theory]
    [InlineData("10.20.30.40")]
    [InlineData("172.16.0.9")]
    [InlineData("192.168.1.2")]
    [InlineData("100.64.1.1")]
    [InlineData("169.254.10.1")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("fd00::5")]
    [InlineData("fe80::1")]
    [InlineData("10.20.30.40:50000")]
    public void TheShapeTheHostsProxyWritesIsNoClient(string hostPeer)
    {
        // The Functions host's proxy (YARP) replaces X-Forwarded-For with one entry, its own peer; when that is a hop of
        // the platform, every client would share its bucket.
        Assert.Null(ClientAddress.Client(Host, hostPeer, HostOnLoopback));
        Assert.Null(ClientAddress.Client(Host, hostPeer, []));
    }

    [Fact]
    public void APublicAddressIsAClientWhereverItWasWritten()
    {
        Assert.Equal(IPAddress.Parse("203.0.113.5"), ClientAddress.Client(Host, "203.0.113.5", HostOnLoopback));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), ClientAddress.Client(Host, "[2001:db8::7]:443", HostOnLoopback));
        Assert.Equal(IPAddress.Parse("203.0.113.5"), ClientAddress.Client(IPAddress.Parse("203.0.113.5"), StringValues.Empty, []));
    }

    [Fact]
    public void AnAbsentOrUnspecifiedPeerIsNoClient()
    {
        Assert.Null(ClientAddress.Client(null, "203.0.113.5", HostOnLoopback));
        Assert.Null(ClientAddress.Client(IPAddress.IPv6Any, StringValues.Empty, []));
        Assert.Null(ClientAddress.Client(IPAddress.Any, StringValues.Empty, []));
    }

    [Fact]
    public void ATrustedProxyCountsOnlyAsThePeerOfARequestThatForwardsNothing()
    {
        // Named by the operator and nothing forwarded: counted, as they chose (the test apps run limits this way).
        Assert.Equal(Host, ClientAddress.Client(Host, StringValues.Empty, HostOnLoopback));
        // A private peer the operator named is counted too; one nobody named is not.
        Assert.Equal(IPAddress.Parse("10.0.0.4"), ClientAddress.Client(IPAddress.Parse("10.0.0.4"), StringValues.Empty, NetworkOptions.Parse("10.0.0.0/8")!));
        Assert.Null(ClientAddress.Client(IPAddress.Parse("10.0.0.4"), StringValues.Empty, HostOnLoopback));
        // A trusted hop that wrote something that is not an address: no client.
        Assert.Null(ClientAddress.Client(Host, "203.0.113.5, garbage", HostOnLoopback));
        // A trusted peer that forwarded in a header other than the one read (X-Forwarded-For while a front end's header
        // is configured) is a proxy, not the client.
        Assert.Null(ClientAddress.Client(Host, StringValues.Empty, HostOnLoopback, proxied: true));
    }

    [Fact]
    public void SpoofedChainsCanNeitherDodgeNorRedirectALimit()
    {
        // Whatever a client writes before the entry the front end appended, the client is that entry: prepending a
        // private or loopback address does not make it unknown (dodge), prepending someone else's does not charge them.
        StringValues[] spoofed =
        [
            "10.0.0.1, 203.0.113.5",
            "127.0.0.1, 203.0.113.5",
            "::1, 203.0.113.5",
            "198.51.100.1, 203.0.113.5",
            "fd00::1, 100.64.0.1, 203.0.113.5",
            new(["192.168.0.1", "203.0.113.5"]),
        ];

        foreach (var header in spoofed)
        {
            Assert.Equal(IPAddress.Parse("203.0.113.5"), ClientAddress.Client(Host, header, HostOnLoopback));
        }

        // From an untrusted peer the header is not read at all, so it cannot make the peer unknown either.
        Assert.Equal(IPAddress.Parse("203.0.113.5"), ClientAddress.Client(IPAddress.Parse("203.0.113.5"), "10.0.0.1", HostOnLoopback));
    }

    [Fact]
    public void TheClientAddressHeaderSettingNamesTheHeaderRead()
    {
        Assert.Equal("X-Forwarded-For", new NetworkOptions().ForwardingHeader);
        Assert.Equal("X-Azure-ClientIP", new NetworkOptions { ClientAddressHeader = " X-Azure-ClientIP " }.ForwardingHeader);
        Assert.True(NetworkOptions.IsHeaderName("X-Azure-ClientIP"));
        Assert.True(NetworkOptions.IsHeaderName(""));
        Assert.False(NetworkOptions.IsHeaderName("X-Client IP"));
        Assert.False(NetworkOptions.IsHeaderName("X-Client-IP:"));
    }

    [Fact]
    public void TrustedProxiesThatAreNotAddressesAreRefused()
    {
        Assert.Null(NetworkOptions.Parse("127.0.0.1, localhost"));
        Assert.Equal(2, NetworkOptions.Parse(" 10.0.0.0/8 , ::1 ")!.Count);
    }
}
