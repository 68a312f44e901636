using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using B64 = System.Buffers.Text.Base64Url;

namespace FuncAuth.Tests.Http;

/// <summary>
/// Forged and broken access tokens against a protected endpoint. The app signs with a development key the tests know,
/// so each forgery differs from a genuine token only in what the test changes: a rejection is then down to that change,
/// not to a signature that could never have verified.
/// </summary>
public sealed class HostileTokenTests(AzuriteFixture azurite) : IAsyncLifetime, IClassFixture<AzuriteFixture>
{
    private readonly string _pem = TestKeys.NewPem();
    private ECDsa _key = null!;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;
    private Tokens _victim = null!;

    public async Task InitializeAsync()
    {
        _key = ECDsa.Create();
        _key.ImportFromPem(_pem);
        _app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__SigningKey"] = _pem }, _time);
        _client = _app.CreateClient();
        _victim = await _client.SignupAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task AGenuineTokenReEncodedAndSignedWithTheRightKeyIsAccepted()
    {
        // The forging below is sound: with nothing changed, what it makes is a token the app takes.
        using var response = await _client.GetAsync("/api/auth/me", Forge());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("alg none without a signature")]
    [InlineData("alg none with the original signature")]
    [InlineData("signed with another key under the same kid")]
    [InlineData("payload edited to roles admin, signature kept")]
    [InlineData("wrong iss")]
    [InlineData("wrong aud")]
    [InlineData("no aud")]
    [InlineData("typ JWT")]
    [InlineData("no typ")]
    [InlineData("unknown kid")]
    [InlineData("no kid")]
    [InlineData("alg RS256 with an ES256 signature")]
    [InlineData("alg ES384 with an ES256 signature")]
    [InlineData("alg HS256 with an ES256 signature")]
    [InlineData("alg HS256 keyed with the public key as SPKI DER")]
    [InlineData("alg HS256 keyed with the public key as PEM")]
    [InlineData("alg HS256 keyed with the public key as x||y")]
    [InlineData("alg HS256 keyed with the public key as an uncompressed point")]
    [InlineData("alg HS256 keyed with the private key as PKCS#8 DER")]
    [InlineData("signature in DER instead of r||s")]
    [InlineData("no exp")]
    [InlineData("nbf ten minutes ahead")]
    [InlineData("sub that is not a user id")]
    [InlineData("no sid")]
    [InlineData("signature cut short")]
    [InlineData("no signature part")]
    public async Task AForgedOrBrokenTokenIsTokenInvalid(string forgery)
    {
        var (header, payload, signature) = Segments(_victim.AccessToken);
        var token = forgery switch
        {
            "alg none without a signature" => Forge(h => h["alg"] = "none", algorithm: "none"),
            "alg none with the original signature" => Forge(h => h["alg"] = "none", algorithm: "none") + signature,
            "signed with another key under the same kid" => Forge(ecKey: ECDsa.Create(ECCurve.NamedCurves.nistP256)),
            "payload edited to roles admin, signature kept" => string.Join('.', header, Encode(Edit(payload, p => p["roles"] = new JsonArray("admin"))), signature),
            "wrong iss" => Forge(payload: p => p["iss"] = "someone-else"),
            "wrong aud" => Forge(payload: p => p["aud"] = "another-api"),
            "no aud" => Forge(payload: p => p.Remove("aud")),
            "typ JWT" => Forge(h => h["typ"] = "JWT"),
            "no typ" => Forge(h => h.Remove("typ")),
            "unknown kid" => Forge(h => h["kid"] = "dev-000000000000"),
            "no kid" => Forge(h => h.Remove("kid")),
            "alg RS256 with an ES256 signature" => Forge(h => h["alg"] = "RS256"),
            "alg ES384 with an ES256 signature" => Forge(h => h["alg"] = "ES384"),
            "alg HS256 with an ES256 signature" => Forge(h => h["alg"] = "HS256"),
            "alg HS256 keyed with the public key as SPKI DER" => Forge(h => h["alg"] = "HS256", algorithm: "HS256", key: _key.ExportSubjectPublicKeyInfo()),
            "alg HS256 keyed with the public key as PEM" => Forge(h => h["alg"] = "HS256", algorithm: "HS256", key: Encoding.ASCII.GetBytes(_key.ExportSubjectPublicKeyInfoPem())),
            "alg HS256 keyed with the public key as x||y" => Forge(h => h["alg"] = "HS256", algorithm: "HS256", key: [.. PublicPoint().X!, .. PublicPoint().Y!]),
            "alg HS256 keyed with the public key as an uncompressed point" => Forge(h => h["alg"] = "HS256", algorithm: "HS256", key: [0x04, .. PublicPoint().X!, .. PublicPoint().Y!]),
            "alg HS256 keyed with the private key as PKCS#8 DER" => Forge(h => h["alg"] = "HS256", algorithm: "HS256", key: _key.ExportPkcs8PrivateKey()),
            "signature in DER instead of r||s" => Forge(algorithm: "ES256-DER"),
            "no exp" => Forge(payload: p => p.Remove("exp")),
            "nbf ten minutes ahead" => Forge(payload: p => p["nbf"] = _time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds()),
            "sub that is not a user id" => Forge(payload: p => p["sub"] = "../" + p["sub"]!.GetValue<string>()),
            "no sid" => Forge(payload: p => p.Remove("sid")),
            "signature cut short" => _victim.AccessToken[..^10],
            "no signature part" => string.Join('.', header, payload),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };

        using var response = await _client.GetAsync("/api/auth/me", token);

        await Problem.AssertUnauthorizedAsync(response, "token_invalid");
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a.b.c")]
    [InlineData("a.b.c.d.e")]
    [InlineData("....")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.")]
    [InlineData("ÿ€日本.語.🔐")]
    [InlineData("9 KB")]
    public async Task AGarbageTokenIsTokenInvalid(string token)
    {
        using var response = await SendBearerAsync(token == "9 KB" ? new string('a', 9 * 1024) : token);

        await Problem.AssertUnauthorizedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task AnEmptyBearerCredentialIsTokenMissing()
    {
        // "Bearer" with nothing after it carries no token at all.
        using var response = await SendBearerAsync("");

        await Problem.AssertUnauthorizedAsync(response, "token_missing");
    }

    [Fact]
    public async Task AGenuineTokenPastItsExpiryIsTokenExpired()
    {
        _time.Advance(TimeSpan.FromMinutes(16));

        using var response = await _client.GetAsync("/api/auth/me", _victim.AccessToken);

        await Problem.AssertUnauthorizedAsync(response, "token_expired");
    }

    [Fact]
    public async Task AWellSignedTokenWithAnExpiryInThePastIsTokenExpired()
    {
        var past = _time.GetUtcNow().AddHours(-1);
        var token = Forge(payload: p =>
        {
            p["iat"] = past.AddMinutes(-15).ToUnixTimeSeconds();
            p["nbf"] = past.AddMinutes(-15).ToUnixTimeSeconds();
            p["exp"] = past.ToUnixTimeSeconds();
        });

        using var response = await _client.GetAsync("/api/auth/me", token);

        await Problem.AssertUnauthorizedAsync(response, "token_expired");
    }

    [Fact]
    public async Task AWellSignedTokenThatIsNotItsSessionsCurrentOneIsTokenRevoked()
    {
        // Even with the key, a token the session did not issue (another jti) is refused by FuncAuth's own endpoints.
        var token = Forge(payload: p => p["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

        using var response = await _client.GetAsync("/api/auth/me", token);

        await Problem.AssertUnauthorizedAsync(response, "token_revoked");
    }

    [Fact]
    public async Task AUserTokenCannotReadAnyUserRecord()
    {
        var other = await _client.SignupAsync();

        foreach (var id in new[] { _victim.UserId, other.UserId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), "not-an-id" })
        {
            using var response = await _client.GetAsync("/api/users/" + id, _victim.AccessToken);
            await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
        }
    }

    /// <summary>The victim's token with its header and payload edited, re-encoded, and signed (by default ES256 with the app's key).</summary>
    private string Forge(Action<JsonObject>? header = null, Action<JsonObject>? payload = null, string algorithm = "ES256", byte[]? key = null, ECDsa? ecKey = null)
    {
        var (encodedHeader, encodedPayload, _) = Segments(_victim.AccessToken);
        var signingInput = Encode(Edit(encodedHeader, header)) + "." + Encode(Edit(encodedPayload, payload));
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = algorithm switch
        {
            "ES256" => (ecKey ?? _key).SignData(data, HashAlgorithmName.SHA256),
            "ES256-DER" => (ecKey ?? _key).SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            "HS256" => HMACSHA256.HashData(key!, data),
            "none" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return signingInput + "." + B64.EncodeToString(signature);
    }

    private ECPoint PublicPoint() => _key.ExportParameters(false).Q;

    private static (string Header, string Payload, string Signature) Segments(string jwt) => jwt.Split('.') is [var h, var p, var s] ? (h, p, s) : throw new FormatException();

    private static JsonObject Edit(string segment, Action<JsonObject>? edit)
    {
        var json = JsonNode.Parse(B64.DecodeFromChars(segment))!.AsObject();
        edit?.Invoke(json);
        return json;
    }

    private static string Encode(JsonObject json) => B64.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private Task<HttpResponseMessage> SendBearerAsync(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token));
        return _client.SendAsync(request);
    }
}
