using System.Net;
using System.Web;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FuncAuth.Tests.Authorization;

/// <summary>The authorization code flow with PKCE and OpenID Connect on top (docs/api.md, "Authorization code"): one test per rule.</summary>
public sealed class AuthorizationCodeTests(AzuriteFixture azurite) : IAsyncLifetime, IClassFixture<AzuriteFixture>
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;
    private CodeFlow _flow = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, CodeFlow.Settings(), _time);
        _client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        _flow = new CodeFlow(_client);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("unknown-app")]
    [InlineData("NOTES-APP")]
    public async Task AnUnknownClientGetsA400PageAndNoRedirect(string? clientId)
    {
        using var response = await _flow.AuthorizeAsync(("client_id", clientId));

        await AssertErrorPageAsync(response);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://evil.example.com/callback")]
    [InlineData("https://notes.example.com/callback/")]
    [InlineData("https://notes.example.com/callback?x=1")]
    [InlineData("https://notes.example.com/call")]
    [InlineData("https://NOTES.example.com/callback")]
    [InlineData(CodeFlow.OtherRedirectUri)]
    public async Task ARedirectUriNotRegisteredExactlyForTheClientGetsA400PageAndNoRedirect(string? redirectUri)
    {
        using var response = await _flow.AuthorizeAsync(("redirect_uri", redirectUri));

        await AssertErrorPageAsync(response);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData(null)]
    [InlineData("s256")]
    public async Task AnyChallengeMethodButS256GoesBackAsInvalidRequestWithStateAndIss(string? method)
    {
        using var response = await _flow.AuthorizeAsync(("code_challenge_method", method), ("code_challenge", method == "plain" ? _flow.Verifier : _flow.Challenge));

        var query = AssertRedirectedBack(response, "invalid_request");
        Assert.Contains("S256", query["error_description"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("response_type", "token", "unsupported_response_type")]
    [InlineData("response_type", null, "unsupported_response_type")]
    [InlineData("code_challenge", null, "invalid_request")]
    [InlineData("code_challenge", "short", "invalid_request")]
    [InlineData("scope", "openid admin", "invalid_scope")]
    [InlineData("prompt", "none", "login_required")]
    [InlineData("request", "eyJ", "request_not_supported")]
    public async Task OtherErrorsGoBackToTheClientWithStateAndIss(string name, string? value, string error)
    {
        using var response = await _flow.AuthorizeAsync((name, value));

        AssertRedirectedBack(response, error);
    }

    [Fact]
    public async Task AValidRequestIsKeptAndTheBrowserGoesToTheSignInPage()
    {
        var requestId = await _flow.StartAsync();

        using var pending = await _client.GetAsync("/api/oauth/authorize/" + requestId);
        Assert.Equal(HttpStatusCode.OK, pending.StatusCode);
        var body = await pending.ReadJsonAsync();
        Assert.Equal("Notes", body.GetProperty("clientName").GetString());
        Assert.False(body.GetProperty("firstParty").GetBoolean());
        Assert.Equal(["openid", "email", "profile"], body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task TheRequestLivesTenMinutes()
    {
        var user = await _client.SignupAsync();
        var requestId = await _flow.StartAsync();

        _time.Advance(TimeSpan.FromMinutes(10));

        using var pending = await _client.GetAsync("/api/oauth/authorize/" + requestId);
        await Problem.AssertAsync(pending, HttpStatusCode.BadRequest, "authorization_request_invalid");
        using var complete = await _flow.CompleteAsync(user.AccessToken, requestId);
        await Problem.AssertAsync(complete, HttpStatusCode.BadRequest, "authorization_request_invalid");
    }

    [Fact]
    public async Task ApprovalRedirectsWithCodeStateAndIssAndTheCodeOpensASessionForTheClient()
    {
        var user = await _client.SignupAsync(name: "Ada Lovelace");
        var (redirectTo, query) = await _flow.ApproveAsync(user.AccessToken, await _flow.StartAsync());

        Assert.Equal(CodeFlow.RedirectUri, redirectTo.GetLeftPart(UriPartial.Path));
        Assert.Equal(_flow.State, query["state"]);
        Assert.Equal("http://localhost:7071", query["iss"]);

        using var response = await _flow.RedeemAsync(query["code"]!);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var tokens = await Tokens.ReadAsync(response);
        Assert.Equal(user.UserId, tokens.UserId);
        var access = new JsonWebToken(tokens.AccessToken);
        Assert.Equal(CodeFlow.ClientId, access.GetClaim("client_id").Value);
        Assert.NotEqual(new JsonWebToken(user.AccessToken).GetClaim("sid").Value, access.GetClaim("sid").Value);
        Assert.Equal("openid email profile", tokens.Body.GetProperty("scope").GetString());
        using var me = await _client.GetAsync("/api/auth/me", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        // The client's session refreshes like any other, and keeps its client.
        using var refreshed = await _client.RefreshAsync(tokens.RefreshToken);
        Assert.Equal(CodeFlow.ClientId, new JsonWebToken((await Tokens.ReadAsync(refreshed)).AccessToken).GetClaim("client_id").Value);
    }

    [Fact]
    public async Task ScopeOpenIdAddsAnIdTokenSignedWithThePublishedKeyForTheClient()
    {
        var user = await _client.SignupAsync(name: "Ada Lovelace");
        using var response = await _flow.RedeemAsync(await _flow.CodeAsync(user.AccessToken));
        var idToken = (await response.ReadJsonAsync()).GetProperty("id_token").GetString()!;

        var jwks = new JsonWebKeySet(await _client.GetStringAsync("/.well-known/jwks.json"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = "http://localhost:7071",
            ValidAudience = CodeFlow.ClientId,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            LifetimeValidator = (_, expires, _, _) => expires > _time.GetUtcNow().UtcDateTime,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal(user.UserId, jwt.Subject);
        Assert.Equal("n-" + _flow.State, jwt.GetClaim("nonce").Value);
        Assert.Equal(user.Email, jwt.GetClaim("email").Value);
        Assert.Equal("false", jwt.GetClaim("email_verified").Value);
        Assert.Equal("Ada Lovelace", jwt.GetClaim("name").Value);
        Assert.True(jwt.TryGetPayloadValue<long>("iat", out _));
        // When and how the user signed in: the session they approved in (signed up with a password), not the redemption.
        var signedIn = new JsonWebToken(user.AccessToken);
        Assert.Equal(signedIn.GetPayloadValue<long>("auth_time"), jwt.GetPayloadValue<long>("auth_time"));
        Assert.Equal(["pwd"], jwt.GetPayloadValue<string[]>("amr"));
    }

    [Fact]
    public async Task TheClientsSessionCarriesTheAuthTimeAndAmrOfTheSignInTheUserApprovedIn()
    {
        var user = await _client.SignupAsync();
        var approvedIn = new JsonWebToken(user.AccessToken).GetPayloadValue<long>("auth_time");
        var code = await _flow.CodeAsync(user.AccessToken);

        _time.Advance(TimeSpan.FromSeconds(30));
        using var response = await _flow.RedeemAsync(code);

        var access = new JsonWebToken((await Tokens.ReadAsync(response)).AccessToken);
        Assert.Equal(approvedIn, access.GetPayloadValue<long>("auth_time"));
        Assert.True(access.GetPayloadValue<long>("iat") >= approvedIn + 30);
        Assert.Equal(["pwd"], access.GetPayloadValue<string[]>("amr"));
    }

    [Fact]
    public async Task TheIdTokenVerifiesWithASecondLibraryToo()
    {
        var user = await _client.SignupAsync();
        using var response = await _flow.RedeemAsync(await _flow.CodeAsync(user.AccessToken));
        var idToken = (await response.ReadJsonAsync()).GetProperty("id_token").GetString()!;
        var jwksPath = Path.GetTempFileName();
        await File.WriteAllTextAsync(jwksPath, await _client.GetStringAsync("/.well-known/jwks.json"));

        try
        {
            // jose (npm) checks signature, alg, iss, aud and exp against the real clock: the test app's clock is the real one.
            var start = new System.Diagnostics.ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { RepoPaths.Combine("tests", "FuncAuth.Tests", "Authorization", "verify-id-token.mjs"), idToken, jwksPath, "http://localhost:7071", CodeFlow.ClientId, "n-" + _flow.State })
            {
                start.ArgumentList.Add(arg);
            }

            using var node = System.Diagnostics.Process.Start(start)!;
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync();

            Assert.True(node.ExitCode == 0, await stderr);
            var verified = System.Text.Json.JsonDocument.Parse(await stdout).RootElement;
            Assert.Equal("ES256", verified.GetProperty("header").GetProperty("alg").GetString());
            Assert.Equal(user.UserId, verified.GetProperty("payload").GetProperty("sub").GetString());
            Assert.Equal(user.Email, verified.GetProperty("payload").GetProperty("email").GetString());
        }
        finally
        {
            File.Delete(jwksPath);
        }
    }

    [Fact]
    public async Task WithoutOpenIdThereIsNoIdTokenAndWithoutEmailNoEmailClaim()
    {
        var user = await _client.SignupAsync();
        using var plain = await _flow.RedeemAsync(await _flow.CodeAsync(user.AccessToken, ("scope", null)));
        Assert.False((await plain.ReadJsonAsync()).TryGetProperty("id_token", out _));

        using var openIdOnly = await _flow.RedeemAsync(await _flow.CodeAsync(user.AccessToken, ("scope", "openid"), ("nonce", null)));
        var idToken = new JsonWebToken((await openIdOnly.ReadJsonAsync()).GetProperty("id_token").GetString()!);
        Assert.False(idToken.TryGetClaim("email", out _));
        Assert.False(idToken.TryGetClaim("nonce", out _));
    }

    [Theory]
    [InlineData("wrong-verifier")]
    [InlineData("short")]
    public async Task AWrongVerifierIsInvalidGrant(string kind)
    {
        var user = await _client.SignupAsync();
        var code = await _flow.CodeAsync(user.AccessToken);
        var verifier = kind == "short" ? "abc" : new CodeFlow(_client).Verifier;

        using var response = await _flow.RedeemAsync(code, verifier);

        await OAuth.AssertErrorAsync(response, "invalid_grant");
    }

    [Fact]
    public async Task AnExpiredCodeIsInvalidGrant()
    {
        var user = await _client.SignupAsync();
        var code = await _flow.CodeAsync(user.AccessToken);

        _time.Advance(TimeSpan.FromMinutes(1));

        using var response = await _flow.RedeemAsync(code);
        var body = await OAuth.AssertErrorAsync(response, "invalid_grant");
        Assert.Contains("expired", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACodeForAnotherClientIsInvalidGrant()
    {
        var user = await _client.SignupAsync();
        var code = await _flow.CodeAsync(user.AccessToken);

        using var response = await _flow.RedeemAsync(code, clientId: CodeFlow.OtherClientId, redirectUri: CodeFlow.OtherRedirectUri);

        await OAuth.AssertErrorAsync(response, "invalid_grant");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5050/cb")]
    [InlineData("https://notes.example.com/callback/")]
    public async Task ACodeForAnotherRedirectUriIsInvalidGrant(string redirectUri)
    {
        var user = await _client.SignupAsync();
        var code = await _flow.CodeAsync(user.AccessToken);

        using var response = await _flow.RedeemAsync(code, redirectUri: redirectUri);

        await OAuth.AssertErrorAsync(response, "invalid_grant");
    }

    [Theory]
    [InlineData("not-a-code")]
    [InlineData("0123456789abcdef0123456789abcdef.secret")]
    public async Task AMadeUpCodeIsInvalidGrant(string code)
    {
        using var response = await _flow.RedeemAsync(code);

        await OAuth.AssertErrorAsync(response, "invalid_grant");
    }

    [Fact]
    public async Task AnUnknownClientAtTheTokenEndpointIsInvalidClient()
    {
        var user = await _client.SignupAsync();
        var code = await _flow.CodeAsync(user.AccessToken);

        using var response = await _flow.RedeemAsync(code, clientId: "unknown-app");

        await OAuth.AssertErrorAsync(response, "invalid_client", HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AReusedCodeIsInvalidGrantAndEndsTheSessionTheFirstUseOpened()
    {
        var user = await _client.SignupAsync();
        var code = await _flow.CodeAsync(user.AccessToken);
        using var first = await _flow.RedeemAsync(code);
        var tokens = await Tokens.ReadAsync(first);

        using var second = await _flow.RedeemAsync(code);

        await OAuth.AssertErrorAsync(second, "invalid_grant");
        using var me = await _client.GetAsync("/api/auth/me", tokens.AccessToken);
        await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        using var refresh = await _client.RefreshAsync(tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        // The user's own session, in which the code was approved, goes on.
        using var own = await _client.GetAsync("/api/auth/me", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task DenialRedirectsWithAccessDeniedStateAndIssAndSpendsTheRequest()
    {
        var user = await _client.SignupAsync();
        var requestId = await _flow.StartAsync();

        var (redirectTo, query) = await _flow.ApproveAsync(user.AccessToken, requestId, approve: false);

        Assert.Equal(CodeFlow.RedirectUri, redirectTo.GetLeftPart(UriPartial.Path));
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal(_flow.State, query["state"]);
        Assert.Equal("http://localhost:7071", query["iss"]);
        Assert.Null(query["code"]);
        using var again = await _flow.CompleteAsync(user.AccessToken, requestId);
        await Problem.AssertAsync(again, HttpStatusCode.BadRequest, "authorization_request_invalid");
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("../x")]
    public async Task CompletingAnUnknownRequestIsAuthorizationRequestInvalid(string requestId)
    {
        var user = await _client.SignupAsync();

        using var response = await _flow.CompleteAsync(user.AccessToken, requestId);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "authorization_request_invalid");
    }

    [Fact]
    public async Task ARequestGivesOneCode()
    {
        var user = await _client.SignupAsync();
        var requestId = await _flow.StartAsync();
        await _flow.ApproveAsync(user.AccessToken, requestId);

        using var again = await _flow.CompleteAsync(user.AccessToken, requestId);

        await Problem.AssertAsync(again, HttpStatusCode.BadRequest, "authorization_request_invalid");
    }

    [Fact]
    public async Task CompletingNeedsASignedInUser()
    {
        var requestId = await _flow.StartAsync();

        using var response = await _client.PostJsonAsync("/api/oauth/authorize/complete", new { request = requestId, approve = true });

        await Problem.AssertUnauthorizedAsync(response, "token_missing");
    }

    [Fact]
    public async Task ACodeApprovedBeforeAPasswordChangeOpensNoSession()
    {
        var user = await _client.SignupAsync();
        var code = await _flow.CodeAsync(user.AccessToken);
        using var change = await _client.PostJsonAsync(
            "/api/auth/password/change", new { currentPassword = Api.Password, password = "An0ther-long-passphrase!", passwordConfirmation = "An0ther-long-passphrase!" }, user.AccessToken);
        Assert.True(change.IsSuccessStatusCode, await change.Content.ReadAsStringAsync());

        using var response = await _flow.RedeemAsync(code);

        await OAuth.AssertErrorAsync(response, "invalid_grant");
    }

    [Fact]
    public async Task UserInfoAnswersTheIdTokensUserClaims()
    {
        var user = await _client.SignupAsync(name: "Ada Lovelace");
        using var redeemed = await _flow.RedeemAsync(await _flow.CodeAsync(user.AccessToken));
        var tokens = await Tokens.ReadAsync(redeemed);

        using var response = await _client.GetAsync("/oauth/userinfo", tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var body = await response.ReadJsonAsync();
        Assert.Equal(user.UserId, body.GetProperty("sub").GetString());
        Assert.Equal(user.Email, body.GetProperty("email").GetString());
        Assert.False(body.GetProperty("email_verified").GetBoolean());
        Assert.Equal("Ada Lovelace", body.GetProperty("name").GetString());
        using var anonymous = await _client.GetAsync("/oauth/userinfo");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task DiscoveryPublishesTheCodeFlowAndOpenIdConnect()
    {
        foreach (var path in new[] { "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server" })
        {
            var body = await (await _client.GetAsync(path)).ReadJsonAsync();
            Assert.Equal("http://localhost:7071/oauth/authorize", body.GetProperty("authorization_endpoint").GetString());
            Assert.Equal("http://localhost:7071/oauth/userinfo", body.GetProperty("userinfo_endpoint").GetString());
            Assert.Equal(["code"], body.GetProperty("response_types_supported").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["S256"], body.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
            Assert.True(body.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
            Assert.Equal(["openid", "email", "profile"], body.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["public"], body.GetProperty("subject_types_supported").EnumerateArray().Select(e => e.GetString()));
            var grants = body.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("authorization_code", grants);
            Assert.Contains("password", grants);
            var claims = body.GetProperty("claims_supported").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("auth_time", claims);
            Assert.Contains("amr", claims);
        }
    }

    [Fact]
    public async Task AuthorizeAndCompleteCostTheirStatedStorageCalls()
    {
        var user = await _client.SignupAsync();

        _app.StorageRequests.Reset();
        var requestId = await _flow.StartAsync();
        var authorize = _app.StorageRequests.Requests.Select(StorageRequestCounter.Shape).ToList();

        _app.StorageRequests.Reset();
        var (_, query) = await _flow.ApproveAsync(user.AccessToken, requestId);
        var complete = _app.StorageRequests.Requests.Select(StorageRequestCounter.Shape).ToList();

        _app.StorageRequests.Reset();
        using var redeemed = await _flow.RedeemAsync(query["code"]!);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var token = _app.StorageRequests.Requests.Select(StorageRequestCounter.Shape).ToList();

        // docs/api.md, "Storage calls": the request kept (one insert).
        Assert.Equal(["POST AuthorizationRequests"], authorize);
        // The caller's session (authentication), the request, then one conditional replace that turns it into the code.
        Assert.Equal(["GET UserSessions", "GET AuthorizationRequests", "PUT AuthorizationRequests"], complete);
        // The code, spent by a conditional replace; the account (one point read); then what a login's session costs: the
        // live-sessions query, the cleanup index and the sign-in's audit event at once, then the session.
        Assert.Equal(["GET AuthorizationRequests", "PUT AuthorizationRequests", "GET Users"], token.Take(3));
        Assert.Equal(["GET UserSessions", "POST AuditEvents", "PUT SessionExpiry"], token.Skip(3).Take(3).Order(StringComparer.Ordinal));
        Assert.Equal(["POST UserSessions"], token.Skip(6));
    }

    private static async Task AssertErrorPageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        Assert.Contains("<h1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private System.Collections.Specialized.NameValueCollection AssertRedirectedBack(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(CodeFlow.RedirectUri, location.GetLeftPart(UriPartial.Path));
        var query = HttpUtility.ParseQueryString(location.Query);
        Assert.Equal(error, query["error"]);
        Assert.Equal(_flow.State, query["state"]);
        Assert.Equal("http://localhost:7071", query["iss"]);
        Assert.Null(query["code"]);
        return query;
    }
}
