using System.Net;
using System.Security.Cryptography;
using FuncAuth.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using B64 = System.Buffers.Text.Base64Url;

namespace FuncAuth.Tests.Http;

/// <summary>The JWKS and the two discovery documents: public halves only, from memory, with absolute URLs from the issuer.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WellKnownTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Issuer = "https://auth.example.com";
    private readonly string _pem = TestKeys.NewPem();
    private FuncAuthApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Auth__SigningKey"] = _pem, ["Auth__Issuer"] = Issuer });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task TheJwksPublishesThePublicKeyThatSignsTokensAndNothingPrivate()
    {
        var client = _app.CreateClient();
        var tokens = await client.SignupAsync();
        _app.StorageRequests.Reset();

        using var response = await client.GetAsync("/.well-known/jwks.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, _app.StorageRequests.Count);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl!.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var key = Assert.Single((await response.ReadJsonAsync()).GetProperty("keys").EnumerateArray());
        Assert.Equal(["kty", "crv", "x", "y", "kid", "alg", "use"], key.EnumerateObject().Select(p => p.Name));
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal(new JsonWebToken(tokens.AccessToken).Kid, key.GetProperty("kid").GetString());
        using var expected = ECDsa.Create();
        expected.ImportFromPem(_pem);
        var q = expected.ExportParameters(false).Q;
        Assert.Equal(q.X, B64.DecodeFromChars(key.GetProperty("x").GetString()!));
        Assert.Equal(q.Y, B64.DecodeFromChars(key.GetProperty("y").GetString()!));
    }

    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/oauth-authorization-server")]
    public async Task DiscoveryNamesTheIssuerAndAbsoluteEndpointsBuiltFromIt(string path)
    {
        _app.StorageRequests.Reset();
        using var response = await _app.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, _app.StorageRequests.Count);
        var body = await response.ReadJsonAsync();
        Assert.Equal(Issuer, body.GetProperty("issuer").GetString());
        Assert.Equal(Issuer + "/.well-known/jwks.json", body.GetProperty("jwks_uri").GetString());
        Assert.Equal(Issuer + "/oauth/token", body.GetProperty("token_endpoint").GetString());
        Assert.Equal(Issuer + "/oauth/revoke", body.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(["authorization_code", "password", "refresh_token", "client_credentials", "urn:funcauth:grant-type:mfa"], Strings(body, "grant_types_supported"));
        Assert.Equal(["none", "client_secret_basic", "client_secret_post"], Strings(body, "token_endpoint_auth_methods_supported"));
        Assert.Equal(["code"], Strings(body, "response_types_supported"));
        Assert.Equal(["public"], Strings(body, "subject_types_supported"));
        Assert.Equal(["ES256"], Strings(body, "id_token_signing_alg_values_supported"));
    }

    [Fact]
    public async Task BothDiscoveryRoutesServeTheSameDocument()
    {
        var client = _app.CreateClient();

        var openId = await client.GetStringAsync("/.well-known/openid-configuration");
        var oauth = await client.GetStringAsync("/.well-known/oauth-authorization-server");

        Assert.Equal(openId, oauth);
    }

    private static string[] Strings(System.Text.Json.JsonElement body, string name) =>
        [.. body.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];
}
