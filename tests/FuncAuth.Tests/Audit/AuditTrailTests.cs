using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Accounts.EmailTokens;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Storage;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.ApiKeys;
using FuncAuth.Tests.Passkeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Audit;

/// <summary>
/// The audit trail (docs/api.md, "Audit trail") over HTTP against Azurite: each event type of the contract appears
/// after its operation with its fields, the bodies hold no secret, the lists page newest first, and cleanup removes what
/// is older than <c>Audit__Retention</c>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditTrailTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Agent = "Mozilla/5.0 (X11; Linux x86_64) AuditTrailTests/1.0";
    private const string NewPassword = "a brand new passphrase";

    private readonly FakeTimeProvider _time = Attack.Clock();
    private FuncAuthApp _app = null!;
    private HttpClient _client = null!;
    private Tokens _admin = null!;

    public async Task InitializeAsync()
    {
        _app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Network__TrustedProxies"] = "127.0.0.1,::1" }, _time);
        _client = _app.CreateClient();
        _client.DefaultRequestHeaders.Add("User-Agent", Agent);
        _client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        _admin = await _client.SignupAsync(FuncAuthApp.AdminEmail);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string> MadeToday() => [.. TypesMadeToday];

    // Every type of the contract: each has an operation that records it.
    private static IEnumerable<string> TypesMadeToday => AuditEventTypes.All;

    [Fact]
    public void TheTypesAreTheContractsList()
    {
        Assert.Equal(
            ["signup", "login_succeeded", "login_failed", "mfa_succeeded", "mfa_failed", "recovery_code_used", "totp_enabled", "totp_disabled",
             "passkey_added", "passkey_used", "passkey_deleted", "reauthenticated", "refresh_token_reused", "logout", "force_logout",
             "password_changed", "password_reset", "email_verified", "api_key_created", "api_key_revoked", "roles_changed", "user_disabled",
             "user_enabled", "mfa_reset", "account_deleted"],
            AuditEventTypes.All);
        Assert.Equal(25, TypesMadeToday.Count());
    }

    [Theory]
    [MemberData(nameof(MadeToday))]
    public async Task EachOperationRecordsItsEventWithItsFields(string type)
    {
        var (userId, actor, sessionId, details) = await PerformAsync(type);

        var e = (await TrailAsync(userId)).First(e => e.GetProperty("type").GetString() == type);
        Assert.True(Ids.IsValid(e.GetProperty("id").GetString()!));
        Assert.Equal(userId, e.GetProperty("userId").GetString());
        Assert.Equal(actor, e.GetProperty("actor").GetString());
        Assert.Equal(_time.GetUtcNow(), e.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(sessionId, e.GetProperty("sessionId").GetString());
        Assert.Equal("203.0.113.7", e.GetProperty("clientAddress").GetString());
        Assert.Equal(JsonValueKind.Null, e.GetProperty("clientAddressClass").ValueKind);
        Assert.Equal(Agent, e.GetProperty("userAgent").GetString());
        foreach (var (name, value) in details)
        {
            Assert.Equal(value, e.GetProperty("details").GetProperty(name).GetString());
        }
    }

    [Fact]
    public async Task EndingOneSessionFromTheListIsALogoutNamingIt()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        using (var end = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/sessions/" + SessionOf(other), user.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        }

        var e = (await TrailAsync(user.UserId)).First(e => e.GetProperty("type").GetString() == "logout");
        Assert.Equal(SessionOf(user), e.GetProperty("sessionId").GetString());
        Assert.Equal("session", e.GetProperty("details").GetProperty("scope").GetString());
        Assert.Equal(SessionOf(other), e.GetProperty("details").GetProperty("endedSessionId").GetString());
    }

    [Fact]
    public async Task ReauthenticationWithCodesRecordsItsFailuresAndTheSpentRecoveryCodeInItsSession()
    {
        var user = await _client.SignupAsync();
        var (secret, recoveryCodes) = await EnrolAsync(user, null);
        _time.Advance(TimeSpan.FromSeconds(30));
        var right = MfaApi.Code(secret, _time);
        using (var wrong = await _client.PostJsonAsync("/api/auth/reauthenticate", new { code = right == "000000" ? "000001" : "000000" }, user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        await ReauthenticateAsync(new { recoveryCode = recoveryCodes[0] }, user.AccessToken, null);

        var trail = await TrailAsync(user.UserId);
        var failed = trail.First(e => e.GetProperty("type").GetString() == "mfa_failed");
        Assert.Equal(SessionOf(user), failed.GetProperty("sessionId").GetString());
        Assert.Equal("reauthentication", failed.GetProperty("details").GetProperty("during").GetString());
        var used = trail.First(e => e.GetProperty("type").GetString() == "recovery_code_used");
        Assert.Equal(SessionOf(user), used.GetProperty("sessionId").GetString());
        Assert.Equal("9", used.GetProperty("details").GetProperty("left").GetString());
        var reauthenticated = trail.First(e => e.GetProperty("type").GetString() == "reauthenticated");
        Assert.Equal("recovery_code", reauthenticated.GetProperty("details").GetProperty("kind").GetString());
        // Newest first: the failure a second before the re-authentication and its spent code.
        Assert.Equal(_time.GetUtcNow().AddSeconds(-1), failed.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(_time.GetUtcNow(), used.GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task NoEventBodyHoldsASecret()
    {
        var secrets = new List<string> { Api.Password, NewPassword };
        foreach (var type in TypesMadeToday)
        {
            await PerformAsync(type, secrets);
        }

        // Every stored row of the users' accounts: their password hashes and security stamps are secrets too.
        await foreach (var account in _app.Table(AuthTables.UsersTable).QueryAsync<TableEntity>())
        {
            secrets.AddRange(new[] { account.GetString("PasswordHash"), account.GetString("SecurityStamp") }.OfType<string>());
        }

        var events = 0;
        await foreach (var row in _app.Table(AuthTables.AuditEventsTable).QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo("~") < 0))
        {
            events++;
            var body = string.Join("\n", row.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).Select(p => $"{p.Key}={p.Value}"));
            foreach (var secret in secrets.Where(s => s.Length >= 8))
            {
                Assert.False(body.Contains(secret, StringComparison.Ordinal), $"event {row.RowKey} holds a secret: {body}");
            }
        }

        Assert.True(events >= 25, $"{events} events");
        Assert.True(secrets.Count > 20);
    }

    [Fact]
    public async Task TheTrailPagesNewestFirstWithACursorAndNoStore()
    {
        var user = await _client.SignupAsync();
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _client.LoginAsync(user.Email);
        }

        var seen = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            using var response = await _client.GetAsync("/api/auth/audit?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), user.AccessToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var body = await response.ReadJsonAsync();
            seen.AddRange(body.GetProperty("events").EnumerateArray());
            cursor = body.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["login_succeeded", "login_succeeded", "login_succeeded", "login_succeeded", "signup"], seen.Select(e => e.GetProperty("type").GetString()));
        var times = seen.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal(5, seen.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task BadPagingIsAValidationProblemAndOnlyTheOwnerOrAnAdminReadsATrail()
    {
        var user = await _client.SignupAsync();
        foreach (var query in new[] { "?limit=0", "?limit=101", "?limit=x", "?cursor=abc" })
        {
            using var bad = await _client.GetAsync("/api/auth/audit" + query, user.AccessToken);
            await Problem.AssertAsync(bad, HttpStatusCode.UnprocessableEntity, "validation_failed");
        }

        // An API key is not a session: it cannot read its owner's trail.
        var key = await _client.CreateKeyAsync(user.AccessToken);
        using (var withKey = await _client.MeWithKeyAsync(key.Key))
        {
            Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        }

        var byKey = new HttpRequestMessage(HttpMethod.Get, "/api/auth/audit");
        byKey.Headers.Add("X-API-Key", key.Key);
        using (var refused = await _client.SendAsync(byKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var notAdmin = await _client.GetAsync($"/api/users/{_admin.UserId}/audit", user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        using (var unknownForm = await _client.GetAsync("/api/users/not-an-id/audit", _admin.AccessToken))
        {
            await Problem.AssertAsync(unknownForm, HttpStatusCode.NotFound, "not_found");
        }

        using var admin = await _client.GetAsync($"/api/users/{user.UserId}/audit", _admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal("no-store", admin.Headers.CacheControl?.ToString());
        Assert.Contains((await admin.ReadJsonAsync()).GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "api_key_created");
    }

    [Fact]
    public async Task AnUnknownClientAddressIsRecordedWithItsClass()
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("User-Agent", new string('a', 300));
        var user = await client.SignupAsync();

        var e = Assert.Single(await TrailAsync(user.UserId));
        // The test host's peer is loopback and named a trusted proxy, and nothing was forwarded: it counts as the client
        // (docs/api.md); behind an unnamed private hop the class would say "private".
        Assert.Equal("127.0.0.1", e.GetProperty("clientAddress").GetString());
        Assert.Equal(256, e.GetProperty("userAgent").GetString()!.Length);

        await using var unnamed = await FuncAuthApp.StartAsync(azurite);
        using var direct = unnamed.CreateClient();
        var other = await direct.SignupAsync();
        using var trail = await direct.GetAsync("/api/auth/audit", other.AccessToken);
        var recorded = Assert.Single((await trail.ReadJsonAsync()).GetProperty("events").EnumerateArray());
        Assert.Equal("127.0.0.1", recorded.GetProperty("clientAddress").GetString());
        Assert.Equal("loopback", recorded.GetProperty("clientAddressClass").GetString());
    }

    [Fact]
    public async Task CleanupRemovesWhatIsOlderThanTheRetentionAndTheTrailOutlivesTheAccount()
    {
        var old = await _client.SignupAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        using (var delete = await _client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, old.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        // The account is gone; its trail is not (an investigation needs it most then).
        Assert.Equal(["account_deleted", "signup"], (await TrailAsync(old.UserId)).Select(e => e.GetProperty("type").GetString()));

        _time.Advance(TimeSpan.FromDays(200));
        var recent = await _client.SignupAsync();
        _time.Advance(TimeSpan.FromDays(200));

        _admin = await _client.LoginAsync(FuncAuthApp.AdminEmail);
        var payload = new
        {
            Data = new { timer = new { Schedule = new { AdjustForDST = true }, ScheduleStatus = (object?)null, IsPastDue = false } },
            Metadata = new { sys = new { MethodName = "CleanupExpiredTokens", UtcNow = "2026-11-22T00:00:00Z", RandGuid = Guid.NewGuid() } },
        };
        using var host = _app.CreateClient();
        using (var run = await host.PostJsonAsync("/CleanupExpiredTokens", payload))
        {
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
            Assert.Contains("audit event(s)", await run.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(await TrailAsync(old.UserId));
        Assert.Single(await TrailAsync(recent.UserId));

        // The index entries of the removed day went with them; the recent day's stays.
        var index = new List<string>();
        await foreach (var row in _app.Table(AuthTables.AuditEventsTable).QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo("~") > 0))
        {
            index.Add(row.RowKey);
        }

        Assert.DoesNotContain(old.UserId, index);
        Assert.Contains(recent.UserId, index);
    }

    /// <summary>Makes one event of <paramref name="type"/> for a fresh user; the expected actor, session id and details.</summary>
    private async Task<(string UserId, string Actor, string? SessionId, IReadOnlyDictionary<string, string> Details)> PerformAsync(string type, List<string>? secrets = null)
    {
        var user = await _client.SignupAsync();
        secrets?.AddRange([user.AccessToken, user.RefreshToken]);
        var none = new Dictionary<string, string>();
        switch (type)
        {
            case "signup":
                return (user.UserId, user.UserId, SessionOf(user), none);
            case "login_succeeded":
                var login = await _client.LoginAsync(user.Email);
                secrets?.AddRange([login.AccessToken, login.RefreshToken]);
                return (user.UserId, user.UserId, SessionOf(login), none);
            case "login_failed":
                using (var failed = await _client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = "wrong password, guessed" }))
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
                }

                secrets?.Add("wrong password, guessed");
                return (user.UserId, user.UserId, null, new Dictionary<string, string> { ["reason"] = "invalid_password" });
            case "refresh_token_reused":
                using (var first = await _client.RefreshAsync(user.RefreshToken))
                {
                    Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                    secrets?.Add((await Tokens.ReadAsync(first)).RefreshToken);
                }

                _time.Advance(TimeSpan.FromSeconds(11));
                using (var reused = await _client.RefreshAsync(user.RefreshToken))
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
                }

                return (user.UserId, AuditTrail.SystemActor, SessionOf(user), new Dictionary<string, string> { ["behind"] = "1" });
            case "logout":
                await SendAsync(HttpMethod.Post, "/api/auth/logout", new { scope = "others" }, user.AccessToken, HttpStatusCode.NoContent);
                return (user.UserId, user.UserId, SessionOf(user), new Dictionary<string, string> { ["scope"] = "others" });
            case "force_logout":
                await SendAsync(HttpMethod.Post, $"/api/users/{user.UserId}/force-logout", new { apiKeys = true }, _admin.AccessToken, HttpStatusCode.NoContent);
                return (user.UserId, _admin.UserId, null, new Dictionary<string, string> { ["apiKeys"] = "true" });
            case "password_changed":
                await SendAsync(HttpMethod.Post, "/api/auth/password/change", new { currentPassword = Api.Password, password = NewPassword, passwordConfirmation = NewPassword }, user.AccessToken, HttpStatusCode.NoContent);
                return (user.UserId, user.UserId, SessionOf(user), none);
            case "password_reset":
                var resetToken = await _app.ResetTokenAsync(user.Email);
                secrets?.Add(resetToken);
                await SendAsync(HttpMethod.Post, "/api/auth/password/reset", new { token = resetToken, password = NewPassword, passwordConfirmation = NewPassword }, null, HttpStatusCode.NoContent);
                return (user.UserId, user.UserId, null, new Dictionary<string, string> { ["adminGranted"] = "false" });
            case "email_verified":
                var verifyToken = await VerifyTokenAsync(user.Email);
                secrets?.Add(verifyToken);
                await SendAsync(HttpMethod.Post, "/api/auth/verify-email", new { token = verifyToken }, null, HttpStatusCode.NoContent);
                return (user.UserId, user.UserId, null, none);
            case "api_key_created":
                var created = await _client.CreateKeyAsync(user.AccessToken, name: "nightly export");
                secrets?.AddRange([created.Key, created.Secret]);
                return (user.UserId, user.UserId, SessionOf(user), new Dictionary<string, string> { ["keyId"] = created.Id, ["name"] = "nightly export", ["scope"] = "user" });
            case "api_key_revoked":
                var revoked = await _client.CreateKeyAsync(user.AccessToken);
                secrets?.AddRange([revoked.Key, revoked.Secret]);
                await SendAsync(HttpMethod.Delete, $"/api/users/{user.UserId}/api-keys/{revoked.Id}", null, _admin.AccessToken, HttpStatusCode.NoContent);
                return (user.UserId, _admin.UserId, null, new Dictionary<string, string> { ["keyId"] = revoked.Id });
            case "roles_changed":
                await SendAsync(HttpMethod.Put, $"/api/users/{user.UserId}/roles", new { roles = new[] { "user", "admin" } }, _admin.AccessToken, HttpStatusCode.OK);
                return (user.UserId, _admin.UserId, null, new Dictionary<string, string> { ["roles"] = "user,admin", ["previousRoles"] = "user" });
            case "user_disabled":
                await SendAsync(HttpMethod.Post, $"/api/users/{user.UserId}/disable", null, _admin.AccessToken, HttpStatusCode.OK);
                return (user.UserId, _admin.UserId, null, none);
            case "user_enabled":
                await SendAsync(HttpMethod.Post, $"/api/users/{user.UserId}/disable", null, _admin.AccessToken, HttpStatusCode.OK);
                await SendAsync(HttpMethod.Post, $"/api/users/{user.UserId}/enable", null, _admin.AccessToken, HttpStatusCode.OK);
                return (user.UserId, _admin.UserId, null, none);
            case "account_deleted":
                await SendAsync(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, user.AccessToken, HttpStatusCode.NoContent);
                return (user.UserId, user.UserId, SessionOf(user), none);
            case "totp_enabled":
                await EnrolAsync(user, secrets);
                return (user.UserId, user.UserId, SessionOf(user), none);
            case "totp_disabled":
                var (totp, _) = await EnrolAsync(user, secrets);
                _time.Advance(TimeSpan.FromSeconds(30));
                var stepped = await ReauthenticateAsync(new { code = MfaApi.Code(totp, _time) }, user.AccessToken, secrets);
                await SendAsync(HttpMethod.Delete, "/api/auth/mfa/totp", null, stepped.AccessToken, HttpStatusCode.NoContent);
                return (user.UserId, user.UserId, SessionOf(user), none);
            case "mfa_succeeded":
                var (signInTotp, _) = await EnrolAsync(user, secrets);
                _time.Advance(TimeSpan.FromSeconds(30));
                var viaCode = await VerifyAsync(user, new { code = MfaApi.Code(signInTotp, _time) }, HttpStatusCode.OK, secrets);
                return (user.UserId, user.UserId, SessionOf(viaCode!), new Dictionary<string, string> { ["method"] = "totp" });
            case "mfa_failed":
                var (failedTotp, _) = await EnrolAsync(user, secrets);
                _time.Advance(TimeSpan.FromSeconds(30));
                var right = MfaApi.Code(failedTotp, _time);
                await VerifyAsync(user, new { code = right == "000000" ? "000001" : "000000" }, HttpStatusCode.Unauthorized, secrets);
                return (user.UserId, user.UserId, null, new Dictionary<string, string> { ["method"] = "totp", ["during"] = "sign_in" });
            case "recovery_code_used":
                var (_, recoveryCodes) = await EnrolAsync(user, secrets);
                await VerifyAsync(user, new { recoveryCode = recoveryCodes[3] }, HttpStatusCode.OK, secrets);
                return (user.UserId, user.UserId, null, new Dictionary<string, string> { ["left"] = "9" });
            case "reauthenticated":
                await ReauthenticateAsync(new { password = Api.Password }, user.AccessToken, secrets);
                return (user.UserId, user.UserId, SessionOf(user), new Dictionary<string, string> { ["kind"] = "password" });
            case "passkey_added":
                using (var authenticator = new SoftwareAuthenticator())
                {
                    var added = await _client.RegisterPasskeyAsync(user.AccessToken, authenticator, "Work laptop");
                    return (user.UserId, user.UserId, SessionOf(user), new Dictionary<string, string> { ["passkeyId"] = added, ["name"] = "Work laptop" });
                }

            case "passkey_used":
                using (var authenticator = new SoftwareAuthenticator())
                {
                    var used = await _client.RegisterPasskeyAsync(user.AccessToken, authenticator);
                    var options = await _client.SignInOptionsAsync();
                    using var signIn = await _client.SendSignInAsync(options, authenticator.Assert(options, PasskeyApi.Origin));
                    Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
                    var viaPasskey = await Tokens.ReadAsync(signIn);
                    secrets?.AddRange([viaPasskey.AccessToken, viaPasskey.RefreshToken, options["challengeId"]!.GetValue<string>()]);
                    return (user.UserId, user.UserId, SessionOf(viaPasskey), new Dictionary<string, string> { ["passkeyId"] = used });
                }

            case "passkey_deleted":
                using (var authenticator = new SoftwareAuthenticator())
                {
                    var deleted = await _client.RegisterPasskeyAsync(user.AccessToken, authenticator);
                    var withPasskey = await _client.SteppedUpWithPasskeyAsync(user.AccessToken, authenticator);
                    secrets?.AddRange([withPasskey.AccessToken, withPasskey.RefreshToken]);
                    await SendAsync(HttpMethod.Delete, "/api/auth/passkeys/" + deleted, null, withPasskey.AccessToken, HttpStatusCode.NoContent);
                    return (user.UserId, user.UserId, SessionOf(user), new Dictionary<string, string> { ["passkeyId"] = deleted });
                }

            case "mfa_reset":
                await EnrolAsync(user, secrets);
                await SendAsync(HttpMethod.Delete, $"/api/users/{user.UserId}/mfa", null, _admin.AccessToken, HttpStatusCode.NoContent);
                return (user.UserId, _admin.UserId, null, none);
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "no operation makes this event yet");
        }
    }

    /// <summary>Turns TOTP on for <paramref name="user"/>; its secret (base32) and recovery codes are secrets the trail must not hold.</summary>
    private async Task<(byte[] Secret, string[] RecoveryCodes)> EnrolAsync(Tokens user, List<string>? secrets)
    {
        var (secret, codes) = await _client.EnrolTotpAsync(user, _time);
        secrets?.Add(OtpNet.Base32Encoding.ToString(secret));
        secrets?.AddRange(codes);
        return (secret, codes);
    }

    /// <summary>The second step of a sign-in of <paramref name="user"/> (TOTP on) with <paramref name="answer"/>; its tokens when it succeeds.</summary>
    private async Task<Tokens?> VerifyAsync(Tokens user, object answer, HttpStatusCode expected, List<string>? secrets)
    {
        var mfaToken = await _client.MfaTokenAsync(user.Email);
        secrets?.Add(mfaToken);
        var body = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(answer))!.AsObject();
        body["mfaToken"] = mfaToken;
        using var response = await _client.PostJsonAsync("/api/auth/mfa/verify", body);
        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            return null;
        }

        var tokens = await Tokens.ReadAsync(response);
        secrets?.AddRange([tokens.AccessToken, tokens.RefreshToken]);
        return tokens;
    }

    private async Task<Tokens> ReauthenticateAsync(object proof, string accessToken, List<string>? secrets)
    {
        using var response = await _client.PostJsonAsync("/api/auth/reauthenticate", proof, accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await Tokens.ReadAsync(response);
        secrets?.AddRange([tokens.AccessToken, tokens.RefreshToken]);
        return tokens;
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, string? accessToken, HttpStatusCode expected)
    {
        using var request = body is null ? Api.Authorized(method, path, accessToken) : Api.Json(method, path, body, accessToken);
        using var response = await _client.SendAsync(request);
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The user's trail as an admin reads it (it outlives the account and the user's sessions).</summary>
    private async Task<List<JsonElement>> TrailAsync(string userId)
    {
        using var response = await _client.GetAsync($"/api/users/{userId}/audit?limit=100", _admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync()).GetProperty("events").EnumerateArray()];
    }

    private static string SessionOf(Tokens tokens) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens.AccessToken).GetPayloadValue<string>("sid");

    /// <summary>A verification token as the email makes it (main's test support gains the same helper).</summary>
    private async Task<string> VerifyTokenAsync(string email)
    {
        var user = (await _app.Services.GetRequiredService<UserStore>().FindByEmailKeyAsync(EmailAddress.StorageKey(EmailAddress.Normalize(email)), CancellationToken.None))!;
        var key = (await _app.Services.GetRequiredService<FuncAuth.Core.Tokens.SigningKeyRing>().GetAsync(CancellationToken.None)).Current;
        return AccountTokens.Create(AccountTokenPurpose.VerifyEmail, user, _time.GetUtcNow().AddHours(1), key);
    }
}
