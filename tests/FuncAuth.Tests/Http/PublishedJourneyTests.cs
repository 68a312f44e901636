using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FuncAuth.Tests.Http;

/// <summary>
/// The contract end to end through the published Native AOT executable: every route, the JSON of every body, every
/// kind of stored row and every error shape, so that what trimming or compile-time code generation would lose shows
/// here and not in production. The in-process tests prove the behaviour in depth; these prove the deployed build
/// has it.
/// </summary>
[Collection(PublishedAppCollection.Name)]
public sealed class PublishedJourneyTests(PublishedAppFixture published) : IAsyncLifetime
{
    private const string NewPassword = "a different horse battery staple";
    private const string BreachedPassword = "monkey-business-1987";
    private readonly string _adminEmail = Api.NewEmail("admin");
    private PublishedProcess _app = null!;
    private HttpClient _client = null!;
    private RangeServer _range = null!;

    public async Task InitializeAsync()
    {
        // Every new password of the journey goes through the breached-password check, against a local range server.
        _range = await RangeServer.StartAsync();
        _range.Add(BreachedPassword);
        _app = await PublishedProcess.StartAsync(published, new Dictionary<string, string>
        {
            ["Auth__AdminEmails"] = _adminEmail,
            ["Auth__RefreshReuseInterval"] = "00:00:00",
            ["Passwords__BreachCheck"] = "true",
            ["Passwords__BreachApiBaseUrl"] = _range.BaseUrl.ToString(),
            ["Auth__WebAuthn__RpId"] = "app.example.com",
            ["Auth__WebAuthn__Origins"] = Passkeys.PasskeyApi.Origin,
            ["Auth__LoginPageUrl"] = "https://app.example.com/authorize",
        }.Concat(CodeFlow.Settings().Select(e => KeyValuePair.Create(e.Key, e.Value!))).ToDictionary(e => e.Key, e => e.Value));
        _client = _app.Client;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _range.DisposeAsync();
    }

    [Fact]
    public async Task ABreachedPasswordIsRefusedThroughTheRangeApi()
    {
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email = Api.NewEmail(), password = BreachedPassword, passwordConfirmation = BreachedPassword });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Contains("has appeared in a data breach", problem.GetProperty("errors").GetProperty("password")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(_range.Requests, r => r.PathAndQuery == "/range/" + RangeServer.Sha1Hex(BreachedPassword)[..5] && r.Headers["Add-Padding"] == "true");
    }

    [Fact]
    public async Task APasskeyIsRegisteredThroughTheExecutableAndSignsIn()
    {
        // Fido2's CBOR, COSE and ECDSA code and its JSON contracts, as the AOT compiler left them.
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        var id = await Passkeys.PasskeyApi.RegisterPasskeyAsync(_client, user.AccessToken, authenticator);
        using (var list = await _client.GetAsync("/api/auth/passkeys", user.AccessToken))
        {
            Assert.Equal(id, (await list.ReadJsonAsync())[0].GetProperty("id").GetString());
        }

        var options = await Passkeys.PasskeyApi.SignInOptionsAsync(_client);
        using (var tampered = await Passkeys.PasskeyApi.SendSignInAsync(_client, options, authenticator.Assert(options, Passkeys.PasskeyApi.Origin, tamper: true)))
        {
            await Problem.AssertAsync(tampered, HttpStatusCode.Unauthorized, "passkey_invalid");
        }

        options = await Passkeys.PasskeyApi.SignInOptionsAsync(_client);
        using var signedIn = await Passkeys.PasskeyApi.SendSignInAsync(_client, options, authenticator.Assert(options, Passkeys.PasskeyApi.Origin));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var tokens = await Tokens.ReadAsync(signedIn);
        Assert.Equal(user.UserId, tokens.UserId);
        await AssertVerifiesAgainstTheJwksAsync(tokens.AccessToken);
    }

    [Fact]
    public async Task ATotpSignInRunsThroughTheExecutable()
    {
        // Otp.NET, the AES-GCM protection of the secret and the second-factor JSON, as the AOT compiler left them.
        var user = await _client.SignupAsync();
        var (_, recoveryCodes) = await _client.EnrolTotpAsync(user, TimeProvider.System);
        using (var status = await _client.GetAsync("/api/auth/mfa", user.AccessToken))
        {
            Assert.True((await status.ReadJsonAsync()).GetProperty("totp").GetProperty("enabled").GetBoolean());
        }

        using var verified = await _client.PostJsonAsync("/api/auth/mfa/verify", new { mfaToken = await _client.MfaTokenAsync(user.Email), recoveryCode = recoveryCodes[0] });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var tokens = await Tokens.ReadAsync(verified);
        await AssertVerifiesAgainstTheJwksAsync(tokens.AccessToken);
        Assert.Equal(["pwd", "otp", "mfa"], new JsonWebToken(tokens.AccessToken).GetPayloadValue<string[]>("amr"));

        // The OAuth form of the second step: the password grant's mfa_token, then the mfa grant.
        using var challenged = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "password"), ("username", user.Email), ("password", Api.Password));
        Assert.Equal(HttpStatusCode.Forbidden, challenged.StatusCode);
        var mfaToken = (await challenged.ReadJsonAsync()).GetProperty("mfa_token").GetString()!;
        using var granted = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "urn:funcauth:grant-type:mfa"), ("mfa_token", mfaToken), ("recovery_code", recoveryCodes[1]));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
    }

    [Fact]
    public async Task TheAuthorizationCodeFlowRunsThroughTheExecutable()
    {
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _client.BaseAddress };
        var flow = new CodeFlow(noRedirects);
        var user = await _client.SignupAsync();

        var code = await flow.CodeAsync(user.AccessToken);
        using var redeemed = await flow.RedeemAsync(code);

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var body = await redeemed.ReadJsonAsync();
        var idToken = new JsonWebToken(body.GetProperty("id_token").GetString());
        Assert.Equal(CodeFlow.ClientId, idToken.Audiences.Single());
        Assert.Equal(user.UserId, idToken.Subject);
        await AssertVerifiesAgainstTheJwksAsync(body.GetProperty("access_token").GetString()!);
        using var userInfo = await _client.GetAsync("/oauth/userinfo", body.GetProperty("access_token").GetString());
        Assert.Equal(user.Email, (await userInfo.ReadJsonAsync()).GetProperty("email").GetString());
    }

    [Fact]
    public async Task AnAccountLivesItsWholeLifeThroughTheExecutable()
    {
        var email = Api.NewEmail();
        var signup = await _client.SignupAsync(email, "Ada");
        await AssertVerifiesAgainstTheJwksAsync(signup.AccessToken);

        using (var me = await _client.GetAsync("/api/auth/me", signup.AccessToken))
        {
            var user = await me.ReadJsonAsync();
            Assert.Equal(signup.UserId, user.GetProperty("id").GetString());
            Assert.Equal("Ada", user.GetProperty("name").GetString());
        }

        using (var renamed = await _client.SendAsync(Api.Json(HttpMethod.Patch, "/api/auth/me", new { name = "Ada L." }, signup.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
            Assert.Equal("Ada L.", (await renamed.ReadJsonAsync()).GetProperty("name").GetString());
        }

        var second = await _client.LoginAsync(email);
        using (var sessions = await _client.GetAsync("/api/auth/sessions", second.AccessToken))
        {
            var list = (await sessions.ReadJsonAsync()).EnumerateArray().ToList();
            Assert.Equal(2, list.Count);
            Assert.Single(list, s => s.GetProperty("current").GetBoolean());
            Assert.All(list, s => Assert.Equal(s.GetProperty("createdAt").GetDateTimeOffset(), s.GetProperty("lastUsedAt").GetDateTimeOffset()));
            // HttpClient sends no User-Agent of its own.
            Assert.All(list, s => Assert.Equal("Unknown device", s.GetProperty("device").GetString()));
        }

        // Rotation, then the spent token again: with no reuse interval that is reuse, and the session ends.
        using var rotated = await _client.RefreshAsync(second.RefreshToken);
        var next = await Tokens.ReadAsync(rotated);
        using (var reused = await _client.RefreshAsync(second.RefreshToken))
        {
            await Problem.AssertAsync(reused, HttpStatusCode.Unauthorized, "refresh_token_reused");
        }

        using (var afterReuse = await _client.RefreshAsync(next.RefreshToken))
        {
            await Problem.AssertAsync(afterReuse, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        }

        using (var change = await _client.PostJsonAsync("/api/auth/password/change", new { currentPassword = Api.Password, password = NewPassword, passwordConfirmation = NewPassword }, signup.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        using (var oldPassword = await _client.PostJsonAsync("/api/auth/login", new { email, password = Api.Password }))
        {
            await Problem.AssertAsync(oldPassword, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var third = await _client.LoginAsync(email, NewPassword);
        using (var logout = await _client.SendAsync(Api.Json(HttpMethod.Post, "/api/auth/logout", new { scope = "others" }, third.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using (var forgot = await _client.PostJsonAsync("/api/auth/password/forgot", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        using (var delete = await _client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = NewPassword }, third.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var gone = await _client.GetAsync("/api/auth/me", third.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(gone, "token_revoked");
        }

        await _client.SignupAsync(email); // The address is free again.
    }

    [Fact]
    public async Task TheOAuthEndpointsAndDiscoveryAnswerInTheirShapes()
    {
        var user = await _client.SignupAsync();
        using var password = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "password"), ("username", user.Email), ("password", Api.Password));
        Assert.Equal(HttpStatusCode.OK, password.StatusCode);
        var tokens = await password.ReadJsonAsync();
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());

        using var refreshed = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", tokens.GetProperty("refresh_token").GetString()!));
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var access = (await refreshed.ReadJsonAsync()).GetProperty("access_token").GetString()!;
        await AssertVerifiesAgainstTheJwksAsync(access);

        using (var wrong = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "password"), ("username", user.Email), ("password", "not the password at all")))
        {
            await OAuth.AssertErrorAsync(wrong, "invalid_grant");
        }

        using (var revoke = await _client.RevokeAsync(OAuth.Encoding.Form, ("token", access)))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using (var me = await _client.GetAsync("/api/auth/me", access))
        {
            await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        }

        foreach (var path in new[] { "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server" })
        {
            using var discovery = await _client.GetAsync(path);
            var document = await discovery.ReadJsonAsync();
            Assert.Equal("http://localhost:7071", document.GetProperty("issuer").GetString());
            Assert.EndsWith("/oauth/token", document.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnApiKeyAuthenticatesAndIsAClientOfTheTokenEndpoint()
    {
        var owner = await _client.SignupAsync();
        var key = await _client.CreateKeyAsync(owner.AccessToken);

        using (var me = await _client.MeWithKeyAsync(key.Key))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(owner.UserId, (await me.ReadJsonAsync()).GetProperty("id").GetString());
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key.Id + ":" + key.Key)));
        using (var token = await _client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
            await AssertVerifiesAgainstTheJwksAsync((await token.ReadJsonAsync()).GetProperty("access_token").GetString()!);
        }

        using (var list = await _client.GetAsync("/api/auth/api-keys", owner.AccessToken))
        {
            Assert.Equal(key.Id, Assert.Single((await list.ReadJsonAsync()).EnumerateArray()).GetProperty("id").GetString());
        }

        using (var revoke = await _client.DeleteAsync("/api/auth/api-keys/" + key.Id, owner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using (var refused = await _client.MeWithKeyAsync(key.Key))
        {
            await Problem.AssertAsync(refused, HttpStatusCode.Unauthorized, "invalid_api_key");
        }
    }

    [Fact]
    public async Task AnAdminManagesAnotherUser()
    {
        var admin = await _client.SignupAsync(_adminEmail);
        var user = await _client.SignupAsync();

        using (var found = await _client.GetAsync("/api/users?email=" + Uri.EscapeDataString(user.Email.ToUpperInvariant()), admin.AccessToken))
        {
            Assert.Equal(user.UserId, Assert.Single((await found.ReadJsonAsync()).EnumerateArray()).GetProperty("id").GetString());
        }

        using (var roles = await _client.SendAsync(Api.Json(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, roles.StatusCode);
        }

        using (var read = await _client.GetAsync($"/api/users/{user.UserId}", admin.AccessToken))
        {
            Assert.Contains("admin", (await read.ReadJsonAsync()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        }

        using (var disable = await _client.PostJsonAsync($"/api/users/{user.UserId}/disable", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        using (var login = await _client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = Api.Password }))
        {
            await Problem.AssertAsync(login, HttpStatusCode.Forbidden, "account_disabled");
        }

        using (var enable = await _client.PostJsonAsync($"/api/users/{user.UserId}/enable", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        }

        var again = await _client.LoginAsync(user.Email);
        using (var force = await _client.PostJsonAsync($"/api/users/{user.UserId}/force-logout", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, force.StatusCode);
        }

        using (var refresh = await _client.RefreshAsync(again.RefreshToken))
        {
            await Problem.AssertAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        }

        using (var notAdmin = await _client.GetAsync($"/api/users/{admin.UserId}", (await _client.SignupAsync()).AccessToken))
        {
            await Problem.AssertAsync(notAdmin, HttpStatusCode.Forbidden, "forbidden");
        }
    }

    [Fact]
    public async Task BadRequestsGetTheirProblemAnswers()
    {
        using (var malformed = await _client.SendAsync(Api.Raw(HttpMethod.Post, "/api/auth/login", "{\"email\": ")))
        {
            await Problem.AssertAsync(malformed, HttpStatusCode.BadRequest, "malformed_json");
        }

        using (var invalid = await _client.PostJsonAsync("/api/auth/signup", new { email = "not-an-email", password = "short" }))
        {
            var body = await Problem.AssertAsync(invalid, (HttpStatusCode)422, "validation_failed");
            Assert.True(body.GetProperty("errors").EnumerateObject().Count() >= 2);
        }

        using (var form = await _client.SendAsync(Api.Raw(HttpMethod.Post, "/api/auth/login", "email=a", "application/x-www-form-urlencoded")))
        {
            await Problem.AssertAsync(form, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        }

        using (var unknown = await _client.GetAsync("/api/nothing-here"))
        {
            await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, "not_found");
        }

        using (var method = await _client.GetAsync("/api/auth/login"))
        {
            await Problem.AssertAsync(method, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        }

        using (var forged = await _client.GetAsync("/api/auth/me", "a.b.c"))
        {
            await Problem.AssertUnauthorizedAsync(forged, "token_invalid");
        }
    }

    private async Task AssertVerifiesAgainstTheJwksAsync(string accessToken)
    {
        var keys = new JsonWebKeySet(await _client.GetStringAsync("/.well-known/jwks.json"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidIssuer = "http://localhost:7071",
            ValidAudience = "funcauth-api",
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }
}

/// <summary>What the Native AOT compiler reports about the whole program.</summary>
[Collection(PublishedAppCollection.Name)]
public sealed class PublishedBuildTests(PublishedAppFixture published)
{
    /// <summary>
    /// The warnings the AOT compiler is known to give, each understood: Azure.Data.Tables is not annotated for trimming
    /// (the stores use none of its reflection mapping, and the assembly is kept whole for the one reflection-serialised
    /// body it sends), and reflection-based JSON, on for that body, makes ASP.NET Core's JsonOptions able to build the
    /// reflection resolver the app then removes. Any other warning is new and fails here.
    /// </summary>
    private static readonly string[] KnownWarnings =
    [
        "IL2104: Assembly 'Azure.Data.Tables' produced trim warnings",
        "IL3053: Assembly 'Azure.Data.Tables' produced AOT analysis warnings",
        "IL3053: Assembly 'Microsoft.AspNetCore.Http.Extensions' produced AOT analysis warnings",
        "IL2026: Microsoft.AspNetCore.Http.Json.JsonOptions.CreateDefaultTypeResolver()",
    ];

    [Fact]
    public void TheAotCompilerReportsOnlyTheKnownWarnings()
    {
        var warnings = published.PublishOutput.Split('\n')
            .Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"\b(IL\d{4}|warning)\b"))
            .Select(line => line.Trim())
            .Distinct()
            .ToList();

        var unknown = warnings.Where(w => !KnownWarnings.Any(known => w.Contains(known, StringComparison.Ordinal))).ToList();
        Assert.True(unknown.Count == 0, "New warnings from the AOT publish:\n" + string.Join("\n", unknown));
    }
}
