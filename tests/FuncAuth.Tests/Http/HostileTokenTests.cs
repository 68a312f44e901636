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
    // 512 bits: long enough for an HS512 signature to verify, so only the algorithm rule can refuse one.
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(64);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;
    private Tokens _victim = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__SigningKey"] = Convert.ToBase64String(_key) }, _time);
        _client = _app.CreateClient();
        _victim = await _client.SignupAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

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
    [InlineData("alg RS256 with an HS256 signature")]
    [InlineData("alg HS512 with an HS256 signature")]
    [InlineData("alg HS512 with an HS512 signature")]
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
            "signed with another key under the same kid" => Forge(key: RandomNumberGenerator.GetBytes(32)),
            "payload edited to roles admin, signature kept" => string.Join('.', header, Encode(Edit(payload, p => p["roles"] = new JsonArray("admin"))), signature),
            "wrong iss" => Forge(payload: p => p["iss"] = "someone-else"),
            "wrong aud" => Forge(payload: p => p["aud"] = "another-api"),
            "no aud" => Forge(payload: p => p.Remove("aud")),
            "typ JWT" => Forge(h => h["typ"] = "JWT"),
            "no typ" => Forge(h => h.Remove("typ")),
            "unknown kid" => Forge(h => h["kid"] = "dev-000000000000"),
            "no kid" => Forge(h => h.Remove("kid")),
            "alg RS256 with an HS256 signature" => Forge(h => h["alg"] = "RS256"),
            "alg HS512 with an HS256 signature" => Forge(h => h["alg"] = "HS512"),
            "alg HS512 with an HS512 signature" => Forge(h => h["alg"] = "HS512", algorithm: "HS512"),
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

    /// <summary>The victim's token with its header and payload edited, re-encoded, and signed (by default with the app's key).</summary>
    private string Forge(Action<JsonObject>? header = null, Action<JsonObject>? payload = null, string algorithm = "HS256", byte[]? key = null)
    {
        var (encodedHeader, encodedPayload, _) = Segments(_victim.AccessToken);
        var signingInput = Encode(Edit(encodedHeader, header)) + "." + Encode(Edit(encodedPayload, payload));
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = algorithm switch
        {
            "HS256" => HMACSHA256.HashData(key ?? _key, data),
            "HS512" => HMACSHA512.HashData(key ?? _key, data),
            "none" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return signingInput + "." + B64.EncodeToString(signature);
    }

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
