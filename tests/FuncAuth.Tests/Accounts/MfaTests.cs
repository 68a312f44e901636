using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using FuncAuth.Core.Mfa;
using FuncAuth.Tests.Abuse;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using OtpNet;

namespace FuncAuth.Tests.Accounts;

/// <summary>
/// docs/api.md, "Second factor: TOTP and recovery codes": enrolment, sign-in with mfa_required and verify (TOTP and
/// recovery codes), replay, skew, the 5-wrong-codes rule, failed-login counting, the password grant and the mfa grant,
/// re-authentication with a code, disabling, the admin reset, and no secret in the tables.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MfaTests(AzuriteFixture azurite) : ClockedAppTests(azurite)
{

    /// <summary>RFC 6238 Appendix B, SHA-1 (the 8-digit values; FuncAuth's 6-digit codes are their last six digits).</summary>
    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void TheCodesAreThoseOfRfc6238sTestVectors(long unixTime, string expected)
    {
        var secret = "12345678901234567890"u8.ToArray();
        var at = DateTimeOffset.FromUnixTimeSeconds(unixTime);

        Assert.Equal(expected, new Totp(secret, totpSize: 8).ComputeTotp(at.UtcDateTime));
        Assert.Equal(unixTime / 30, TotpCode.Match(secret, expected[2..], at));
        Assert.Null(TotpCode.Match(secret, expected, at));
    }

    [Fact]
    public void OneStepOfSkewIsAcceptedEitherWayAndTwoAreNot()
    {
        var secret = "12345678901234567890"u8.ToArray();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1234567890 - 1234567890 % 30));
        var code = new Totp(secret).ComputeTotp(time.GetUtcNow().UtcDateTime);

        foreach (var (offset, accepted) in new[] { (-60, false), (-30, true), (0, true), (29, true), (30, true), (59, true), (60, false) })
        {
            Assert.True(accepted == TotpCode.Match(secret, code, time.GetUtcNow().AddSeconds(offset)) is not null, $"offset {offset}");
        }
    }

    [Fact]
    public async Task EnrolConfirmAndSignInWithACodeThenWithARecoveryCode()
    {
        var user = await Client.SignupAsync();
        var (secret, codes) = await EnrolAsync(user);
        Assert.Equal(10, codes.Length);
        Assert.Equal(10, codes.Distinct().Count());

        using (var me = await Client.GetAsync("/api/auth/me", user.AccessToken))
        {
            Assert.True((await me.ReadJsonAsync()).GetProperty("mfaEnabled").GetBoolean());
        }

        using (var status = await Client.GetAsync("/api/auth/mfa", user.AccessToken))
        {
            var body = await status.ReadJsonAsync();
            Assert.True(body.GetProperty("totp").GetProperty("enabled").GetBoolean());
            Assert.Equal(10, body.GetProperty("recoveryCodesLeft").GetInt32());
            Assert.Equal(0, body.GetProperty("passkeys").GetInt32());
        }

        // The password alone opens no session.
        var mfaToken = await PasswordStepAsync(user.Email);

        // The code confirmation used is spent (replay); the next step's code signs in.
        using (var replayed = await VerifyAsync(mfaToken, code: Code(secret)))
        {
            await Problem.AssertAsync(replayed, HttpStatusCode.Unauthorized, "mfa_code_invalid");
        }

        Time.Advance(TimeSpan.FromSeconds(30));
        using (var verified = await VerifyAsync(mfaToken, code: Code(secret)))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
            var token = new JsonWebToken((await Tokens.ReadAsync(verified)).AccessToken);
            Assert.Equal(["pwd", "otp", "mfa"], token.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        }

        // Single use: the same mfaToken again, even with a new code, is dead.
        Time.Advance(TimeSpan.FromSeconds(30));
        using (var again = await VerifyAsync(mfaToken, code: Code(secret)))
        {
            await Problem.AssertAsync(again, HttpStatusCode.Unauthorized, "mfa_token_invalid");
        }

        using (var recovered = await VerifyAsync(await PasswordStepAsync(user.Email), recoveryCode: codes[3].ToUpperInvariant()))
        {
            Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        }

        using (var spent = await VerifyAsync(await PasswordStepAsync(user.Email), recoveryCode: codes[3]))
        {
            await Problem.AssertAsync(spent, HttpStatusCode.Unauthorized, "mfa_code_invalid");
        }

        using var left = await Client.GetAsync("/api/auth/mfa", user.AccessToken);
        Assert.Equal(9, (await left.ReadJsonAsync()).GetProperty("recoveryCodesLeft").GetInt32());
    }

    [Fact]
    public async Task FiveWrongCodesEndTheMfaToken()
    {
        var user = await Client.SignupAsync();
        var (secret, _) = await EnrolAsync(user);
        Time.Advance(TimeSpan.FromSeconds(30));
        var mfaToken = await PasswordStepAsync(user.Email);

        for (var i = 0; i < MfaService.MaxWrongCodes; i++)
        {
            using var wrong = await VerifyAsync(mfaToken, code: WrongCode(secret));
            await Problem.AssertAsync(wrong, HttpStatusCode.Unauthorized, "mfa_code_invalid");
        }

        using var right = await VerifyAsync(mfaToken, code: Code(secret));
        await Problem.AssertAsync(right, HttpStatusCode.Unauthorized, "mfa_token_invalid");
    }

    [Fact]
    public async Task AnMfaTokenLivesFiveMinutes()
    {
        var user = await Client.SignupAsync();
        var (secret, _) = await EnrolAsync(user);
        var mfaToken = await PasswordStepAsync(user.Email);

        Time.Advance(TimeSpan.FromMinutes(5));
        using var late = await VerifyAsync(mfaToken, code: Code(secret));
        await Problem.AssertAsync(late, HttpStatusCode.Unauthorized, "mfa_token_invalid");
    }

    [Fact]
    public async Task WrongCodesCountAsFailedLoginsOfTheAccountAndAddress()
    {
        await using var app = await FuncAuthApp.StartAsync(Azurite, Attack.Limited(), Time);
        var client = app.CreateClient();
        var user = await client.SignupAsync();
        var (secret, _) = await EnrolAsync(user, client);
        const string address = "198.51.100.31";

        // Two tokens of five wrong codes each: ten failures at this address.
        for (var round = 0; round < 2; round++)
        {
            var mfaToken = await PasswordStepAsync(user.Email, client, address);
            for (var i = 0; i < 5; i++)
            {
                using var wrong = await client.SendAsync(From(address, Api.Json(HttpMethod.Post, "/api/auth/mfa/verify", new { mfaToken, code = WrongCode(secret) })));
                await Problem.AssertAsync(wrong, HttpStatusCode.Unauthorized, "mfa_code_invalid");
            }
        }

        using var login = await client.LoginFromAsync(address, user.Email, Api.Password);
        await Problem.AssertAsync(login, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task AWrongPasswordAnswersTheSameWithAndWithoutASecondFactor()
    {
        var plain = await Client.SignupAsync();
        var enrolled = await Client.SignupAsync();
        await EnrolAsync(enrolled);

        using var withoutMfa = await Client.PostJsonAsync("/api/auth/login", new { email = plain.Email, password = Attack.WrongPassword });
        using var withMfa = await Client.PostJsonAsync("/api/auth/login", new { email = enrolled.Email, password = Attack.WrongPassword });

        Assert.Equal(Normalize(await withoutMfa.Content.ReadAsStringAsync()), Normalize(await withMfa.Content.ReadAsStringAsync()));
        Assert.Equal(withoutMfa.StatusCode, withMfa.StatusCode);
        Assert.Equal(withoutMfa.Headers.Select(h => h.Key).Order(), withMfa.Headers.Select(h => h.Key).Order());
    }

    [Fact]
    public async Task ThePasswordGrantAsksForTheSecondFactorAndTheMfaGrantCompletesIt()
    {
        var user = await Client.SignupAsync();
        var (secret, _) = await EnrolAsync(user);
        Time.Advance(TimeSpan.FromSeconds(30));

        using var password = await Client.PostAsync("/oauth/token", Form(("grant_type", "password"), ("username", user.Email), ("password", Api.Password)));
        Assert.Equal(HttpStatusCode.Forbidden, password.StatusCode);
        var required = await password.ReadJsonAsync();
        Assert.Equal("mfa_required", required.GetProperty("error").GetString());
        Assert.Equal(300, required.GetProperty("expires_in").GetInt32());
        var mfaToken = required.GetProperty("mfa_token").GetString()!;

        using (var wrong = await Client.PostAsync("/oauth/token", Form(("grant_type", "urn:funcauth:grant-type:mfa"), ("mfa_token", mfaToken), ("otp", WrongCode(secret)))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.Equal("invalid_grant", (await wrong.ReadJsonAsync()).GetProperty("error").GetString());
        }

        using var granted = await Client.PostAsync("/oauth/token", Form(("grant_type", "urn:funcauth:grant-type:mfa"), ("mfa_token", mfaToken), ("otp", Code(secret))));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Contains("mfa", new JsonWebToken((await granted.ReadJsonAsync()).GetProperty("access_token").GetString()).Claims.Where(c => c.Type == "amr").Select(c => c.Value));
    }

    [Fact]
    public async Task ReauthenticatingWithACodeAddsTheSecondFactorToTheSession()
    {
        var user = await Client.SignupAsync();
        var (secret, codes) = await EnrolAsync(user);

        // The session that enrolled proved only the password: turning TOTP off needs the second factor.
        using (var refused = await Client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/mfa/totp", user.AccessToken)))
        {
            await Problem.AssertAsync(refused, HttpStatusCode.Forbidden, "reauthentication_required");
        }

        using (var replay = await Client.PostJsonAsync("/api/auth/reauthenticate", new { code = Code(secret) }, user.AccessToken))
        {
            await Problem.AssertAsync(replay, HttpStatusCode.Unauthorized, "mfa_code_invalid");
        }

        Time.Advance(TimeSpan.FromSeconds(30));
        using var reauthenticated = await Client.PostJsonAsync("/api/auth/reauthenticate", new { code = Code(secret) }, user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, reauthenticated.StatusCode);
        var fresh = await Tokens.ReadAsync(reauthenticated);
        Assert.Equal(["pwd", "otp", "mfa"], new JsonWebToken(fresh.AccessToken).Claims.Where(c => c.Type == "amr").Select(c => c.Value));

        using (var regenerated = await Client.PostJsonAsync("/api/auth/mfa/recovery-codes", new { }, fresh.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, regenerated.StatusCode);
            var newCodes = (await regenerated.ReadJsonAsync()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
            Assert.Equal(10, newCodes.Length);
            Assert.Empty(newCodes.Intersect(codes));
        }

        using (var off = await Client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/mfa/totp", fresh.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, off.StatusCode);
        }

        // Off: the password alone signs in again.
        await Client.LoginAsync(user.Email);
    }

    [Fact]
    public async Task AnAdminResetEndsTheSecondFactorAndEverySession()
    {
        var admin = await Client.SignupAsync(FuncAuthApp.AdminEmail);
        var user = await Client.SignupAsync();
        await EnrolAsync(user);

        using (var reset = await Client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/users/{user.UserId}/mfa", admin.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        using (var ended = await Client.GetAsync("/api/auth/me", user.AccessToken))
        {
            await Problem.AssertUnauthorizedAsync(ended, "token_revoked");
        }

        var again = await Client.LoginAsync(user.Email);
        using var me = await Client.GetAsync("/api/auth/me", again.AccessToken);
        Assert.False((await me.ReadJsonAsync()).GetProperty("mfaEnabled").GetBoolean());

        using var unknown = await Client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/users/{Guid.NewGuid():N}/mfa", admin.AccessToken));
        await Problem.AssertAsync(unknown, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task EnrolmentIsRefusedWhileOnAndAWrongConfirmationIs400()
    {
        var user = await Client.SignupAsync();
        using (var start = await Client.PostJsonAsync("/api/auth/mfa/totp", new { }, user.AccessToken))
        {
            var body = await start.ReadJsonAsync();
            Assert.Matches("^[A-Z2-7]{32}$", body.GetProperty("secret").GetString());
            Assert.StartsWith("otpauth://totp/FuncAuth:", body.GetProperty("otpauthUri").GetString(), StringComparison.Ordinal);
            Assert.EndsWith("&issuer=FuncAuth&algorithm=SHA1&digits=6&period=30", body.GetProperty("otpauthUri").GetString(), StringComparison.Ordinal);
        }

        using (var wrong = await Client.PostJsonAsync("/api/auth/mfa/totp/confirm", new { code = "000000" }, user.AccessToken))
        {
            await Problem.AssertAsync(wrong, HttpStatusCode.BadRequest, "mfa_code_invalid");
        }

        await EnrolAsync(user);
        using var twice = await Client.PostJsonAsync("/api/auth/mfa/totp", new { }, user.AccessToken);
        await Problem.AssertAsync(twice, HttpStatusCode.Conflict, "mfa_already_enabled");
    }

    [Fact]
    public async Task NoTableHoldsTheSecretOrARecoveryCodeInTheClear()
    {
        var user = await Client.SignupAsync();
        var (secret, codes) = await EnrolAsync(user);
        var base32 = Base32Encoding.ToString(secret);
        // A pending secret of a second enrolment is stored too.
        var other = await Client.SignupAsync();
        using var pending = await Client.PostJsonAsync("/api/auth/mfa/totp", new { }, other.AccessToken);
        var pendingSecret = (await pending.ReadJsonAsync()).GetProperty("secret").GetString()!;

        var forbidden = new List<string> { base32, pendingSecret, Convert.ToBase64String(secret), Convert.ToHexString(secret), Convert.ToHexStringLower(secret), Base64UrlOf(secret) };
        forbidden.AddRange(codes);
        forbidden.AddRange(codes.Select(c => c.Replace("-", "", StringComparison.Ordinal)));

        var service = new TableServiceClient(Azurite.ConnectionString);
        var scanned = 0;
        await foreach (var table in service.QueryAsync())
        {
            if (!table.Name.StartsWith(App.TablePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            await foreach (var row in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                scanned++;
                var text = JsonSerializer.Serialize(row.ToDictionary(p => p.Key, p => p.Value?.ToString()));
                foreach (var value in forbidden)
                {
                    Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase);
                }
            }
        }

        Assert.True(scanned > 4, $"only {scanned} rows scanned");
    }

    private static string Base64UrlOf(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private Task<(byte[] Secret, string[] RecoveryCodes)> EnrolAsync(Tokens user, HttpClient? client = null) => (client ?? Client).EnrolTotpAsync(user, Time);

    private async Task<string> PasswordStepAsync(string email, HttpClient? client = null, string? address = null)
    {
        client ??= Client;
        var request = Api.Json(HttpMethod.Post, "/api/auth/login", new { email, password = Api.Password });
        if (address is not null)
        {
            request.Headers.Add("X-Forwarded-For", address);
        }

        using var response = await client.SendAsync(request);
        var problem = await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "mfa_required");
        Assert.Equal(300, problem.GetProperty("expiresIn").GetInt32());
        Assert.Equal(["totp", "recovery_code"], problem.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        return problem.GetProperty("mfaToken").GetString()!;
    }

    private Task<HttpResponseMessage> VerifyAsync(string mfaToken, string? code = null, string? recoveryCode = null) =>
        Client.PostJsonAsync("/api/auth/mfa/verify", new { mfaToken, code, recoveryCode });

    private string Code(byte[] secret) => MfaApi.Code(secret, Time);

    /// <summary>A code that is none of the three steps the window accepts.</summary>
    private string WrongCode(byte[] secret)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        var valid = new[] { -30, 0, 30 }.Select(s => new Totp(secret).ComputeTotp(now.AddSeconds(s))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));

    private static HttpRequestMessage From(string address, HttpRequestMessage request)
    {
        request.Headers.Add("X-Forwarded-For", address);
        return request;
    }

    private static string Normalize(string problem)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }
}
