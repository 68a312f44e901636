using System.Net;
using System.Security.Cryptography;
using System.Text;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using B64 = System.Buffers.Text.Base64Url;

namespace FuncAuth.Tests.Downstream;

/// <summary>
/// The sample downstream API, configured with FuncAuth's Authority and Audience and nothing else, against a real FuncAuth:
/// it takes FuncAuth's access tokens and refuses every other signature, algorithm and expired token.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DownstreamApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public const string Issuer = "https://funcauth.test";
    public const string Audience = "funcauth-api";

    private FuncAuthApp _funcAuth = null!;
    private DownstreamApiApp _downstream = null!;
    private Tokens _user = null!;

    public async Task InitializeAsync()
    {
        _funcAuth = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__Issuer"] = Issuer });
        _downstream = new DownstreamApiApp(Issuer, Audience, _funcAuth.Server.CreateHandler());
        _user = await _funcAuth.CreateClient().SignupAsync();
    }

    public async Task DisposeAsync()
    {
        await _downstream.DisposeAsync();
        await _funcAuth.DisposeAsync();
    }

    [Fact]
    public async Task TheDownstreamApiAcceptsAFuncAuthAccessTokenAndSeesItsClaims()
    {
        using var client = _downstream.CreateClient();

        using var response = await client.GetAsync("/whoami", _user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(_user.UserId, body.GetProperty("subject").GetString());
        Assert.Equal(["user"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        using var admin = await client.GetAsync("/admin", _user.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
    }

    [Fact]
    public async Task TheDownstreamApiRefusesATokenSignedByAnotherP256Key()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Equal(HttpStatusCode.Unauthorized, await _downstream.CallAsync(JwtForge.SignEs256(_user.AccessToken, other)));
    }

    [Theory]
    [InlineData("x||y")]
    [InlineData("uncompressed point")]
    [InlineData("SPKI DER")]
    [InlineData("SPKI PEM")]
    [InlineData("JWK JSON")]
    public async Task TheDownstreamApiRefusesAnHs256TokenKeyedWithThePublicKey(string encoding)
    {
        using var published = await _funcAuth.CreateClient().GetAsync("/.well-known/jwks.json", null);
        var jwk = (await published.ReadJsonAsync()).GetProperty("keys")[0];
        var x = B64.DecodeFromChars(jwk.GetProperty("x").GetString()!);
        var y = B64.DecodeFromChars(jwk.GetProperty("y").GetString()!);
        using var publicKey = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
        byte[] secret = encoding switch
        {
            "x||y" => [.. x, .. y],
            "uncompressed point" => [0x04, .. x, .. y],
            "SPKI DER" => publicKey.ExportSubjectPublicKeyInfo(),
            "SPKI PEM" => Encoding.ASCII.GetBytes(publicKey.ExportSubjectPublicKeyInfoPem()),
            _ => Encoding.UTF8.GetBytes(jwk.GetRawText()),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, await _downstream.CallAsync(JwtForge.SignHmac(_user.AccessToken, "HS256", secret)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheDownstreamApiRefusesAnAlgNoneToken(bool keepSignature)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await _downstream.CallAsync(JwtForge.AlgNone(_user.AccessToken, keepSignature)));
    }

    [Fact]
    public async Task TheDownstreamApiRefusesAnExpiredFuncAuthToken()
    {
        // A FuncAuth whose clock is two hours behind issues tokens that expired long before now (beyond any clock skew).
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2));
        await using var funcAuth = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__Issuer"] = Issuer }, past);
        await using var downstream = new DownstreamApiApp(Issuer, Audience, funcAuth.Server.CreateHandler());
        var stale = await funcAuth.CreateClient().SignupAsync();
        past.SetUtcNow(DateTimeOffset.UtcNow);
        var fresh = await funcAuth.CreateClient().LoginAsync(stale.Email);

        Assert.Equal(HttpStatusCode.Unauthorized, await downstream.CallAsync(stale.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await downstream.CallAsync(fresh.AccessToken));
    }

    [Fact]
    public async Task TheDownstreamApiRefusesATokenForAnotherAudience()
    {
        await using var other = new DownstreamApiApp(Issuer, "another-api", _funcAuth.Server.CreateHandler());

        Assert.Equal(HttpStatusCode.Unauthorized, await other.CallAsync(_user.AccessToken));
    }
}
