using System.Net;
using FuncAuth.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Email;

/// <summary>
/// Every answer that carries a token or personal data is <c>Cache-Control: no-store</c>. The test walks
/// every route of the app to a successful answer (the account lifecycle through real mail) and holds every answer to
/// no-store, except the public key set and the discovery documents, which are public and cacheable by design. A route
/// added without a step here fails the test.
/// </summary>
[Collection(EmailCollection.Name)]
public sealed class NoStoreTests(EmailFixture email)
{
    // Public by design: no token, no personal data, cached by verifiers and clients.
    private static readonly HashSet<string> Cacheable = ["GET /.well-known/jwks.json", "GET /.well-known/openid-configuration", "GET /.well-known/oauth-authorization-server"];

    [Fact]
    public async Task EverySuccessfulAnswerOfEveryRouteIsNoStoreExceptThePublicKeysAndDiscovery()
    {
        var adminEmail = Api.NewEmail("nostore-admin");
        var settings = CodeFlow.Settings();
        settings["Auth__AdminEmails"] = adminEmail;
        await using var app = await email.StartAppAsync(settings);
        var client = app.CreateClient();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);

        async Task<HttpResponseMessage> Step(string route, HttpRequestMessage request)
        {
            var response = await client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{route} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            seen[route] = response.Headers.CacheControl?.ToString() ?? "(none)";
            return response;
        }

        HttpRequestMessage Json(HttpMethod method, string path, object body, string? token = null) => Api.Json(method, path, body, token);
        HttpRequestMessage Bare(HttpMethod method, string path, string? token = null) => Api.Authorized(method, path, token);
        HttpRequestMessage Form(string path, params (string Key, string Value)[] fields) =>
            new(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))) };

        // A user's own routes.
        var address = Api.NewEmail("nostore");
        var user = await Tokens.ReadAsync(await Step("POST /api/auth/signup", Json(HttpMethod.Post, "/api/auth/signup", new { email = address, password = Api.Password, passwordConfirmation = Api.Password })));
        var verification = Assert.Single(await email.Smtp.WaitForMailAsync(address));
        await Step("POST /api/auth/verify-email", Json(HttpMethod.Post, "/api/auth/verify-email", new { token = verification.TokenOf("verify-email") }));
        await Step("POST /api/auth/verify-email/resend", Json(HttpMethod.Post, "/api/auth/verify-email/resend", new { email = address }));
        var login = await Tokens.ReadAsync(await Step("POST /api/auth/login", Json(HttpMethod.Post, "/api/auth/login", new { email = address, password = Api.Password })));
        var refreshed = await Tokens.ReadAsync(await Step("POST /api/auth/refresh", Json(HttpMethod.Post, "/api/auth/refresh", new { refresh_token = login.RefreshToken })));
        await Step("POST /api/auth/reauthenticate", Json(HttpMethod.Post, "/api/auth/reauthenticate", new { password = Api.Password }, refreshed.AccessToken));
        await Step("GET /api/auth/me", Bare(HttpMethod.Get, "/api/auth/me", user.AccessToken));
        await Step("PATCH /api/auth/me", Json(HttpMethod.Patch, "/api/auth/me", new { name = "Ann" }, user.AccessToken));
        var sessions = await (await Step("GET /api/auth/sessions", Bare(HttpMethod.Get, "/api/auth/sessions", user.AccessToken))).ReadJsonAsync();
        var other = sessions.EnumerateArray().First(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();
        await Step("DELETE /api/auth/sessions/{sessionId}", Bare(HttpMethod.Delete, "/api/auth/sessions/" + other, user.AccessToken));
        var key = await (await Step("POST /api/auth/api-keys", Json(HttpMethod.Post, "/api/auth/api-keys", new { name = "job" }, user.AccessToken))).ReadJsonAsync();
        await Step("GET /api/auth/audit", Bare(HttpMethod.Get, "/api/auth/audit", user.AccessToken));
        await Step("GET /api/auth/api-keys", Bare(HttpMethod.Get, "/api/auth/api-keys", user.AccessToken));
        await Step("DELETE /api/auth/api-keys/{id}", Bare(HttpMethod.Delete, "/api/auth/api-keys/" + key.GetProperty("id").GetString(), user.AccessToken));
        // The authorization code flow: the redirect to the sign-in page, the page's two calls, the grant, userinfo.
        var flow = new CodeFlow(app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));
        using (var authorize = await flow.AuthorizeAsync())
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, authorize.StatusCode);
            seen["GET /oauth/authorize"] = authorize.Headers.CacheControl?.ToString() ?? "(none)";
        }

        var requestId = await flow.StartAsync();
        await Step("GET /api/oauth/authorize/{request}", Bare(HttpMethod.Get, "/api/oauth/authorize/" + requestId));
        var approved = await (await Step("POST /api/oauth/authorize/complete", Json(HttpMethod.Post, "/api/oauth/authorize/complete", new { request = requestId, approve = true }, user.AccessToken))).ReadJsonAsync();
        var code = System.Web.HttpUtility.ParseQueryString(new Uri(approved.GetProperty("redirectTo").GetString()!).Query)["code"]!;
        var codeTokens = await Tokens.ReadAsync(await flow.RedeemAsync(code));
        await Step("GET /oauth/userinfo", Bare(HttpMethod.Get, "/oauth/userinfo", codeTokens.AccessToken));
        // Passkeys (a software authenticator in the browser's place).
        using (var authenticator = new SoftwareAuthenticator())
        {
            var creation = System.Text.Json.Nodes.JsonNode.Parse(await (await Step("POST /api/auth/passkeys/register/options", Json(HttpMethod.Post, "/api/auth/passkeys/register/options", new { }, user.AccessToken))).Content.ReadAsStringAsync())!;
            await Step("POST /api/auth/passkeys/register", Json(HttpMethod.Post, "/api/auth/passkeys/register", new System.Text.Json.Nodes.JsonObject { ["credential"] = authenticator.Register(creation, Passkeys.PasskeyApi.Origin) }, user.AccessToken));
            var passkeys = await (await Step("GET /api/auth/passkeys", Bare(HttpMethod.Get, "/api/auth/passkeys", user.AccessToken))).ReadJsonAsync();
            var request = System.Text.Json.Nodes.JsonNode.Parse(await (await Step("POST /api/auth/passkeys/login/options", Json(HttpMethod.Post, "/api/auth/passkeys/login/options", new { }))).Content.ReadAsStringAsync())!;
            var viaPasskey = await Tokens.ReadAsync(await Step("POST /api/auth/passkeys/login", Json(HttpMethod.Post, "/api/auth/passkeys/login", new System.Text.Json.Nodes.JsonObject { ["challengeId"] = request["challengeId"]!.GetValue<string>(), ["credential"] = authenticator.Assert(request, Passkeys.PasskeyApi.Origin) })));
            await Step("POST /api/auth/passkeys/options", Json(HttpMethod.Post, "/api/auth/passkeys/options", new { }, user.AccessToken));
            // The passkey sign-in proved mfa, which deleting a passkey needs.
            await Step("DELETE /api/auth/passkeys/{id}", Bare(HttpMethod.Delete, "/api/auth/passkeys/" + passkeys[0].GetProperty("id").GetString(), viaPasskey.AccessToken));
        }

        var grant = await (await Step("POST /oauth/token", Form("/oauth/token", ("grant_type", "password"), ("username", address), ("password", Api.Password)))).ReadJsonAsync();
        await Step("POST /oauth/revoke", Form("/oauth/revoke", ("token", grant.GetProperty("refresh_token").GetString()!)));
        await Step("POST /api/auth/password/forgot", Json(HttpMethod.Post, "/api/auth/password/forgot", new { email = address }));
        await Step("POST /api/auth/password/change", Json(HttpMethod.Post, "/api/auth/password/change", new { currentPassword = Api.Password, password = "a brand new passphrase", passwordConfirmation = "a brand new passphrase" }, user.AccessToken));

        // An admin, made by a completed reset of a listed address, and the admin routes.
        await client.SignupAsync(adminEmail);
        using (var forgot = await client.PostJsonAsync("/api/auth/password/forgot", new { email = adminEmail }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var reset = (await email.Smtp.WaitForMailAsync(adminEmail, 2)).Single(m => m.Subject == "Reset your password");
        await Step("POST /api/auth/password/reset", Json(HttpMethod.Post, "/api/auth/password/reset", new { token = reset.TokenOf("reset-password"), password = "the admin's passphrase", passwordConfirmation = "the admin's passphrase" }));
        var admin = await client.LoginAsync(adminEmail, "the admin's passphrase");
        var someone = await client.SignupAsync();
        var theirKey = await (await client.PostJsonAsync("/api/auth/api-keys", new { name = "theirs" }, someone.AccessToken)).ReadJsonAsync();
        await Step("GET /api/users/{userId}", Bare(HttpMethod.Get, "/api/users/" + someone.UserId, admin.AccessToken));
        await Step("GET /api/users", Bare(HttpMethod.Get, "/api/users?email=" + Uri.EscapeDataString(someone.Email), admin.AccessToken));
        await Step("GET /api/users/{userId}/audit", Bare(HttpMethod.Get, $"/api/users/{someone.UserId}/audit", admin.AccessToken));
        await Step("GET /api/users/{userId}/api-keys", Bare(HttpMethod.Get, $"/api/users/{someone.UserId}/api-keys", admin.AccessToken));
        await Step("DELETE /api/users/{userId}/api-keys/{id}", Bare(HttpMethod.Delete, $"/api/users/{someone.UserId}/api-keys/{theirKey.GetProperty("id").GetString()}", admin.AccessToken));
        await Step("PUT /api/users/{userId}/roles", Json(HttpMethod.Put, $"/api/users/{someone.UserId}/roles", new { roles = new[] { "user" } }, admin.AccessToken));
        await Step("POST /api/users/{userId}/force-logout", Json(HttpMethod.Post, $"/api/users/{someone.UserId}/force-logout", new { }, admin.AccessToken));
        await Step("POST /api/users/{userId}/disable", Json(HttpMethod.Post, $"/api/users/{someone.UserId}/disable", new { }, admin.AccessToken));
        await Step("POST /api/users/{userId}/enable", Json(HttpMethod.Post, $"/api/users/{someone.UserId}/enable", new { }, admin.AccessToken));

        // Second factors: enrol, confirm, sign in with a recovery code, replace the codes, turn off, admin reset.
        var enrolling = await client.SignupAsync();
        var enrolment = await (await Step("POST /api/auth/mfa/totp", Json(HttpMethod.Post, "/api/auth/mfa/totp", new { }, enrolling.AccessToken))).ReadJsonAsync();
        var secret = OtpNet.Base32Encoding.ToBytes(enrolment.GetProperty("secret").GetString());
        var confirmed = await (await Step("POST /api/auth/mfa/totp/confirm", Json(HttpMethod.Post, "/api/auth/mfa/totp/confirm", new { code = new OtpNet.Totp(secret).ComputeTotp() }, enrolling.AccessToken))).ReadJsonAsync();
        var recoveryCode = confirmed.GetProperty("recoveryCodes")[0].GetString();
        await Step("GET /api/auth/mfa", Bare(HttpMethod.Get, "/api/auth/mfa", enrolling.AccessToken));
        var challenge = await (await client.PostJsonAsync("/api/auth/login", new { email = enrolling.Email, password = Api.Password })).ReadJsonAsync();
        var verified = await Tokens.ReadAsync(await Step("POST /api/auth/mfa/verify", Json(HttpMethod.Post, "/api/auth/mfa/verify", new { mfaToken = challenge.GetProperty("mfaToken").GetString(), recoveryCode })));
        await Step("POST /api/auth/mfa/recovery-codes", Json(HttpMethod.Post, "/api/auth/mfa/recovery-codes", new { }, verified.AccessToken));
        await Step("DELETE /api/auth/mfa/totp", Bare(HttpMethod.Delete, "/api/auth/mfa/totp", verified.AccessToken));
        await Step("DELETE /api/users/{userId}/mfa", Bare(HttpMethod.Delete, $"/api/users/{enrolling.UserId}/mfa", admin.AccessToken));

        // Ending sessions and the account.
        var second = await client.LoginAsync(adminEmail, "the admin's passphrase");
        await Step("POST /api/auth/logout", Bare(HttpMethod.Post, "/api/auth/logout", admin.AccessToken));
        await Step("DELETE /api/auth/logout", Bare(HttpMethod.Delete, "/api/auth/logout", second.AccessToken));
        var leaving = await client.SignupAsync();
        await Step("DELETE /api/auth/account", Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, leaving.AccessToken));
        Assert.NotNull(refreshed);

        // Public documents, and the functions only the host invokes.
        await Step("GET /api/health", Bare(HttpMethod.Get, "/api/health"));
        await Step("GET /.well-known/jwks.json", Bare(HttpMethod.Get, "/.well-known/jwks.json"));
        await Step("GET /.well-known/openid-configuration", Bare(HttpMethod.Get, "/.well-known/openid-configuration"));
        await Step("GET /.well-known/oauth-authorization-server", Bare(HttpMethod.Get, "/.well-known/oauth-authorization-server"));
        await Step("GET /api/openapi.json", Bare(HttpMethod.Get, "/api/openapi.json"));
        await Step("POST /CleanupExpiredTokens", Api.Raw(HttpMethod.Post, "/CleanupExpiredTokens", """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}"""));
        var message = System.Text.Json.JsonSerializer.Serialize(new { kind = "verify-email", to = address });
        await Step("POST /SendEmail", Api.Raw(HttpMethod.Post, "/SendEmail", System.Text.Json.JsonSerializer.Serialize(new { Data = new { message }, Metadata = new { DequeueCount = 1 } })));

        // Every route was walked: the app's endpoints are exactly the steps above.
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Where(r => !r.Contains("/api/docs", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(routes.Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));

        foreach (var (route, cacheControl) in seen)
        {
            if (Cacheable.Contains(route))
            {
                Assert.StartsWith("public", cacheControl, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(cacheControl == "no-store", $"{route}: Cache-Control {cacheControl}");
            }
        }
    }
}
