using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FuncAuth.Core.Passkeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Passkeys;

/// <summary>Signing in and stepping up with a passkey, every failure of the contract, and what a sign-in costs.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PasskeySignInTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, time: _time);
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task APasskeySignsInWithoutAPasswordAsTwoFactorsAndRecordsItsUse()
    {
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        var id = await _client.RegisterPasskeyAsync(user.AccessToken, authenticator);
        _time.Advance(TimeSpan.FromMinutes(1));

        var options = await _client.SignInOptionsAsync();
        Assert.Equal("app.example.com", options["rpId"]!.GetValue<string>());
        Assert.Empty(options["allowCredentials"]!.AsArray());
        Assert.Equal("required", options["userVerification"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(options["challengeId"]!.GetValue<string>()));
        using var response = await _client.SendSignInAsync(options, authenticator.Assert(options, PasskeyApi.Origin));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await Tokens.ReadAsync(response);
        Assert.Equal(user.UserId, tokens.UserId);
        Assert.NotEqual(Sid(user.AccessToken), Sid(tokens.AccessToken));
        var claims = Claims(tokens.AccessToken);
        Assert.Equal(["hwk", "mfa"], claims.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), claims.GetProperty("auth_time").GetInt64());
        using var list = await _client.GetAsync("/api/auth/passkeys", tokens.AccessToken);
        var listed = Assert.Single((await list.ReadJsonAsync()).EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), listed.GetProperty("lastUsedAt").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    public static TheoryData<string> Failures => new()
    {
        "wrong origin", "wrong RP id", "replayed challenge", "expired challenge", "tampered signature", "unknown credential",
        "user verification missing", "challenge id of another challenge", "registration challenge", "deleted passkey", "another user's handle",
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task EveryFailedSignInIsOneAnswer(string failure)
    {
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        var passkeyId = await _client.RegisterPasskeyAsync(user.AccessToken, authenticator);
        var options = await _client.SignInOptionsAsync();
        JsonObject credential;
        switch (failure)
        {
            case "wrong origin":
                credential = authenticator.Assert(options, "https://evil.example.net");
                break;
            case "wrong RP id":
                credential = authenticator.Assert(options, PasskeyApi.Origin, rpId: "example.net");
                break;
            case "replayed challenge":
                credential = authenticator.Assert(options, PasskeyApi.Origin);
                using (var first = await _client.SendSignInAsync(options, credential))
                {
                    Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                }

                credential = authenticator.Assert(options, PasskeyApi.Origin);
                break;
            case "expired challenge":
                credential = authenticator.Assert(options, PasskeyApi.Origin);
                _time.Advance(PasskeyService.ChallengeLifetime);
                break;
            case "tampered signature":
                credential = authenticator.Assert(options, PasskeyApi.Origin, tamper: true);
                break;
            case "unknown credential":
                using (var stranger = new SoftwareAuthenticator())
                {
                    stranger.Register(await _client.RegistrationOptionsAsync(user.AccessToken), PasskeyApi.Origin); // never sent
                    credential = stranger.Assert(options, PasskeyApi.Origin);
                }

                break;
            case "user verification missing":
                credential = authenticator.Assert(options, PasskeyApi.Origin, userVerified: false);
                break;
            case "challenge id of another challenge":
                credential = authenticator.Assert(await _client.SignInOptionsAsync(), PasskeyApi.Origin);
                break;
            case "registration challenge":
                credential = authenticator.Assert(
                    new JsonObject { ["challenge"] = (await _client.RegistrationOptionsAsync(user.AccessToken))["challenge"]!.GetValue<string>(), ["rpId"] = "app.example.com" },
                    PasskeyApi.Origin);
                options["challengeId"] = ChallengeOf(credential);
                break;
            case "deleted passkey":
                using (var deleted = await _client.SendAsync(Api.Authorized(
                    HttpMethod.Delete, $"/api/auth/passkeys/{passkeyId}", (await _client.SteppedUpWithPasskeyAsync(user.AccessToken, authenticator)).AccessToken)))
                {
                    Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
                }

                credential = authenticator.Assert(options, PasskeyApi.Origin);
                break;
            default:
                credential = authenticator.Assert(options, PasskeyApi.Origin);
                credential["response"]!["userHandle"] = SoftwareAuthenticator.Base64Url(new byte[16]);
                break;
        }

        using var response = await _client.SendSignInAsync(options, credential);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "passkey_invalid");
        Assert.Equal("The passkey could not be verified. Try again, or sign in another way.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ADisabledAccountIsToldSoOnlyAfterThePasskeyProvedTheUser()
    {
        var admin = await _client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        await _client.RegisterPasskeyAsync(user.AccessToken, authenticator);
        using (var disabled = await _client.PostJsonAsync($"/api/users/{user.UserId}/disable", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        }

        var options = await _client.SignInOptionsAsync();
        using var response = await _client.SendSignInAsync(options, authenticator.Assert(options, PasskeyApi.Origin));

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "account_disabled");
    }

    [Fact]
    public async Task ASignInCostsFourPasskeyCallsAndTheAccountReadBeforeTheSessionWrites()
    {
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        await _client.RegisterPasskeyAsync(user.AccessToken, authenticator);
        var options = await _client.SignInOptionsAsync();
        var credential = authenticator.Assert(options, PasskeyApi.Origin);
        _app.StorageRequests.Reset();

        using var response = await _client.SendSignInAsync(options, credential);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = _app.StorageRequests.Requests.Select(StorageRequestCounter.Shape).ToList();
        // Options stored nothing; the sign-in: challenge spent (insert), credential index (point read), passkey and owner
        // (one partition query), counter and lastUsedAt (merge), the account (point read), then the session: cleanup
        // index write, live-sessions query and the passkey_used event side by side, and the insert. (The user's
        // retention-index entry of the day was written at sign-up, on this instance.)
        Assert.Equal(
            ["POST RateLimits", "GET UserSessions", "GET UserSessions", "PATCH UserSessions", "GET Users", "GET UserSessions", "POST AuditEvents", "POST UserSessions", "PUT SessionExpiry"],
            calls.Take(4).Append(calls[4]).Concat(calls.Skip(5).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task APasskeyStepsUpTheSameSessionAndRegisteringOrDeletingNeedsARecentProof()
    {
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        var id = await _client.RegisterPasskeyAsync(user.AccessToken, authenticator);
        var signedIn = await _client.LoginAsync(user.Email);
        _time.Advance(TimeSpan.FromMinutes(11));

        using (var stale = await _client.PostJsonAsync("/api/auth/passkeys/register/options", new { }, signedIn.AccessToken))
        {
            await Problem.AssertAsync(stale, HttpStatusCode.Forbidden, "reauthentication_required");
            Assert.Contains("insufficient_user_authentication", stale.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using (var staleDelete = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/auth/passkeys/{id}", signedIn.AccessToken)))
        {
            await Problem.AssertAsync(staleDelete, HttpStatusCode.Forbidden, "reauthentication_required");
        }

        // Re-authenticating with the passkey: options bound to this session, then the assertion.
        using var optionsResponse = await _client.PostJsonAsync("/api/auth/passkeys/options", new { }, signedIn.AccessToken);
        Assert.Equal(HttpStatusCode.OK, optionsResponse.StatusCode);
        var options = JsonNode.Parse(await optionsResponse.Content.ReadAsStringAsync())!;
        Assert.Equal(authenticator.CredentialIdText, Assert.Single(options["allowCredentials"]!.AsArray())!["id"]!.GetValue<string>());

        // Another session's options do not step this one up.
        var other = await _client.LoginAsync(user.Email);
        using (var otherOptions = await _client.PostJsonAsync("/api/auth/passkeys/options", new { }, other.AccessToken))
        {
            var foreign = JsonNode.Parse(await otherOptions.Content.ReadAsStringAsync())!;
            using var refused = await _client.PostJsonAsync("/api/auth/reauthenticate", new JsonObject { ["passkey"] = authenticator.Assert(foreign, PasskeyApi.Origin) }, signedIn.AccessToken);
            await Problem.AssertAsync(refused, HttpStatusCode.Unauthorized, "passkey_invalid");
        }

        using var stepped = await _client.PostJsonAsync("/api/auth/reauthenticate", new JsonObject { ["passkey"] = authenticator.Assert(options, PasskeyApi.Origin) }, signedIn.AccessToken);

        Assert.Equal(HttpStatusCode.OK, stepped.StatusCode);
        var tokens = await Tokens.ReadAsync(stepped);
        Assert.Equal(Sid(signedIn.AccessToken), Sid(tokens.AccessToken));
        Assert.Equal(["hwk", "mfa", "pwd"], Claims(tokens.AccessToken).GetProperty("amr").EnumerateArray().Select(a => a.GetString()).Order(StringComparer.Ordinal));
        using (var replayed = await _client.PostJsonAsync("/api/auth/reauthenticate", new JsonObject { ["passkey"] = authenticator.Assert(options, PasskeyApi.Origin) }, tokens.AccessToken))
        {
            await Problem.AssertAsync(replayed, HttpStatusCode.Unauthorized, "passkey_invalid");
        }

        using var delete = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/auth/passkeys/{id}", tokens.AccessToken));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    private static string ChallengeOf(JsonObject credential) =>
        JsonNode.Parse(SoftwareAuthenticator.FromBase64Url(credential["response"]!["clientDataJSON"]!.GetValue<string>()))!["challenge"]!.GetValue<string>();

    private static JsonElement Claims(string accessToken) =>
        JsonDocument.Parse(SoftwareAuthenticator.FromBase64Url(accessToken.Split('.')[1])).RootElement.Clone();

    private static string Sid(string accessToken) => Claims(accessToken).GetProperty("sid").GetString()!;
}
