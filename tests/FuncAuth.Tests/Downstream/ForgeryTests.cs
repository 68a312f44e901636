using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FuncAuth.Core.Tokens;
using FuncAuth.Tests.Support;
using B64 = System.Buffers.Text.Base64Url;

namespace FuncAuth.Tests.Downstream;

/// <summary>
/// Everything FuncAuth publishes (JWKS and discovery) in the hands of an attacker: every access or refresh token they
/// can build from it is refused, by FuncAuth and by a downstream API. A control shows the forging code itself is sound:
/// with the real private key it makes the very tokens FuncAuth issued.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ForgeryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string RefreshLabel = "funcauth/refresh-token/v1";
    private readonly string _pem = TestKeys.NewPem();
    private FuncAuthApp _app = null!;
    private DownstreamApiApp _downstream = null!;
    private HttpClient _client = null!;
    private Tokens _victim = null!;
    private List<(string Name, byte[] Bytes)> _published = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__SigningKey"] = _pem, ["Auth__Issuer"] = DownstreamApiTests.Issuer });
        _downstream = new DownstreamApiApp(DownstreamApiTests.Issuer, DownstreamApiTests.Audience, _app.Server.CreateHandler());
        _client = _app.CreateClient();
        _victim = await _client.SignupAsync(FuncAuthApp.AdminEmail.Replace("root-admin", "admin-" + Guid.NewGuid().ToString("N")[..8], StringComparison.Ordinal));
        _published = await PublishedMaterialAsync();
    }

    public async Task DisposeAsync()
    {
        await _downstream.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task NoAccessTokenBuiltFromPublishedMaterialIsAccepted()
    {
        var attempts = new List<(string Name, string Token)>();
        foreach (var (name, secret) in _published)
        {
            foreach (var algorithm in new[] { "HS256", "HS384", "HS512" })
            {
                attempts.Add(($"{algorithm} keyed with {name}", JwtForge.SignHmac(_victim.AccessToken, algorithm, secret, p => p["roles"] = new JsonArray("user", "admin"))));
            }
        }

        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var attackerJwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = B64.EncodeToString(attacker.ExportParameters(false).Q.X), ["y"] = B64.EncodeToString(attacker.ExportParameters(false).Q.Y) };
        attempts.Add(("ES256 by another key under the published kid", JwtForge.SignEs256(_victim.AccessToken, attacker)));
        attempts.Add(("ES256 by another key embedded as jwk", JwtForge.SignEs256(_victim.AccessToken, attacker, h => h["jwk"] = attackerJwk)));
        attempts.Add(("ES256 by another key named by jku", JwtForge.SignEs256(_victim.AccessToken, attacker, h => h["jku"] = "https://attacker.example/jwks.json")));
        attempts.Add(("alg none", JwtForge.AlgNone(_victim.AccessToken)));

        foreach (var (name, token) in attempts)
        {
            using var response = await _client.GetAsync("/api/auth/me", token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"FuncAuth accepted: {name}");
            Assert.True(await _downstream.CallAsync(token) == HttpStatusCode.Unauthorized, $"The downstream API accepted: {name}");
        }
    }

    [Fact]
    public async Task NoRefreshTokenBuiltFromPublishedMaterialIsAccepted()
    {
        var fields = _victim.RefreshToken.Split('.');
        var payload = Encoding.ASCII.GetBytes(string.Join('.', fields[..4]));
        foreach (var (name, material) in _published)
        {
            var derivations = new (string Name, byte[] Key)[]
            {
                ("as is", material),
                ("HMAC with the label", HMACSHA256.HashData(material, Encoding.ASCII.GetBytes(RefreshLabel))),
                ("HKDF with the label", HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, [], Encoding.ASCII.GetBytes(RefreshLabel))),
            };
            foreach (var (derivation, key) in derivations)
            {
                var forged = string.Join('.', fields[..4]) + "." + B64.EncodeToString(HMACSHA256.HashData(key, payload));
                using var refresh = await _client.RefreshAsync(forged);
                Assert.True(refresh.StatusCode == HttpStatusCode.Unauthorized, $"FuncAuth accepted a refresh token keyed with {name}, {derivation}");
                using var grant = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", forged));
                await OAuth.AssertErrorAsync(grant, "invalid_grant");
            }
        }

        // The victim's session survived every attempt.
        using var genuine = await _client.RefreshAsync(_victim.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    [Fact]
    public async Task WithThePrivateKeyTheSameForgingCodeReproducesFuncAuthsTokens()
    {
        var key = await TestKeys.DevelopmentKeyAsync(_pem);
        var fields = _victim.RefreshToken.Split('.');
        Assert.Equal(_victim.RefreshToken, RefreshTokens.Create(new(fields[0], fields[1], long.Parse(fields[2]), fields[3]), key));
        var mac = HMACSHA256.HashData(key.RefreshTokenKey, Encoding.ASCII.GetBytes(string.Join('.', fields[..4])));
        Assert.Equal(fields[4], B64.EncodeToString(mac));

        using var signer = ECDsa.Create();
        signer.ImportFromPem(_pem);
        var reSigned = JwtForge.SignEs256(_victim.AccessToken, signer);
        using var me = await _client.GetAsync("/api/auth/me", reSigned);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await _downstream.CallAsync(reSigned));
    }

    /// <summary>Every byte string an attacker can take from the published documents.</summary>
    private async Task<List<(string, byte[])>> PublishedMaterialAsync()
    {
        var jwksText = await _client.GetStringAsync("/.well-known/jwks.json");
        var discoveryText = await _client.GetStringAsync("/.well-known/openid-configuration");
        var jwk = JsonNode.Parse(jwksText)!["keys"]![0]!;
        var x = B64.DecodeFromChars(jwk["x"]!.GetValue<string>());
        var y = B64.DecodeFromChars(jwk["y"]!.GetValue<string>());
        Assert.Null(jwk["d"]);
        using var publicKey = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
        return
        [
            ("x", x),
            ("y", y),
            ("x||y", [.. x, .. y]),
            ("uncompressed point", [0x04, .. x, .. y]),
            ("SPKI DER", publicKey.ExportSubjectPublicKeyInfo()),
            ("SPKI PEM", Encoding.ASCII.GetBytes(publicKey.ExportSubjectPublicKeyInfoPem())),
            ("JWK JSON", Encoding.UTF8.GetBytes(jwk.ToJsonString())),
            ("JWKS document", Encoding.UTF8.GetBytes(jwksText)),
            ("discovery document", Encoding.UTF8.GetBytes(discoveryText)),
            ("kid", Encoding.UTF8.GetBytes(jwk["kid"]!.GetValue<string>())),
        ];
    }
}
