using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using FuncAuth.Core.Passkeys;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.Passkeys;

/// <summary>Registering, listing and deleting passkeys, and every way a registration is refused.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PasskeyRegistrationTests(AzuriteFixture azurite) : IAsyncLifetime
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
    public async Task CreationOptionsAreTheFlatJsonTheBrowserParsesWithARandomUserHandle()
    {
        var user = await _client.SignupAsync(name: "Ada");
        using var response = await _client.PostJsonAsync("/api/auth/passkeys/register/options", new { }, user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var options = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Null(options["publicKey"]);
        Assert.Equal("app.example.com", options["rp"]!["id"]!.GetValue<string>());
        Assert.Equal("FuncAuth", options["rp"]!["name"]!.GetValue<string>());
        var handle = SoftwareAuthenticator.FromBase64Url(options["user"]!["id"]!.GetValue<string>());
        Assert.Equal(16, handle.Length);
        Assert.NotEqual(user.UserId, Convert.ToHexStringLower(handle));
        Assert.Equal(user.Email, options["user"]!["name"]!.GetValue<string>());
        Assert.Equal("Ada", options["user"]!["displayName"]!.GetValue<string>());
        Assert.True(SoftwareAuthenticator.FromBase64Url(options["challenge"]!.GetValue<string>()).Length >= 16);
        Assert.Equal([-7, -257], options["pubKeyCredParams"]!.AsArray().Select(p => p!["alg"]!.GetValue<int>()));
        Assert.Equal("required", options["authenticatorSelection"]!["residentKey"]!.GetValue<string>());
        Assert.Equal("required", options["authenticatorSelection"]!["userVerification"]!.GetValue<string>());
        Assert.Equal("none", options["attestation"]!.GetValue<string>());
        Assert.Equal(300000, options["timeout"]!.GetValue<int>());
        Assert.Empty(options["excludeCredentials"]!.AsArray());
    }

    [Fact]
    public async Task ARegisteredPasskeyIsListedExcludedFromTheNextOptionsAndDeleted()
    {
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        var firstOptions = await _client.RegistrationOptionsAsync(user.AccessToken);

        using var created = await _client.SendRegistrationAsync(user.AccessToken, authenticator.Register(firstOptions, PasskeyApi.Origin), "  Work laptop ");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        var id = body.GetProperty("id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal("Work laptop", body.GetProperty("name").GetString());
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), body.GetProperty("createdAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("lastUsedAt").ValueKind);

        using var list = await _client.GetAsync("/api/auth/passkeys", user.AccessToken);
        Assert.Equal("no-store", list.Headers.CacheControl?.ToString());
        var listed = Assert.Single((await list.ReadJsonAsync()).EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());

        // The next options exclude it, and keep the user's handle (one account per authenticator).
        var next = await _client.RegistrationOptionsAsync(user.AccessToken);
        Assert.Equal(authenticator.CredentialIdText, Assert.Single(next["excludeCredentials"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(firstOptions["user"]!["id"]!.GetValue<string>(), next["user"]!["id"]!.GetValue<string>());

        // The passkey is a second factor: a recent password proof is not enough to delete it; one with the passkey is.
        using (var refused = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/auth/passkeys/{id}", user.AccessToken)))
        {
            await Problem.AssertAsync(refused, HttpStatusCode.Forbidden, "reauthentication_required");
        }

        var stepped = await _client.SteppedUpWithPasskeyAsync(user.AccessToken, authenticator);
        using (var deleted = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/auth/passkeys/{id}", stepped.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/auth/passkeys/{id}", stepped.AccessToken)))
        {
            await Problem.AssertAsync(again, HttpStatusCode.NotFound, "not_found");
        }

        using var empty = await _client.GetAsync("/api/auth/passkeys", stepped.AccessToken);
        Assert.Equal(0, (await empty.ReadJsonAsync()).GetArrayLength());
        Assert.Empty(await RowsNamingAsync(user.UserId));
    }

    [Fact]
    public async Task UsersGetDifferentHandlesAndCannotDeleteEachOthersPasskeys()
    {
        var owner = await _client.SignupAsync();
        var other = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        var id = await _client.RegisterPasskeyAsync(owner.AccessToken, authenticator);

        var otherOptions = await _client.RegistrationOptionsAsync(other.AccessToken);
        Assert.NotEqual(SoftwareAuthenticator.Base64Url(authenticator.UserHandle!), otherOptions["user"]!["id"]!.GetValue<string>());
        using var deleted = await _client.SendAsync(Api.Authorized(HttpMethod.Delete, $"/api/auth/passkeys/{id}", other.AccessToken));
        await Problem.AssertAsync(deleted, HttpStatusCode.NotFound, "not_found");
        using var list = await _client.GetAsync("/api/auth/passkeys", owner.AccessToken);
        Assert.Equal(1, (await list.ReadJsonAsync()).GetArrayLength());
    }

    public static TheoryData<string> RefusedRegistrations => new()
    {
        "wrong origin", "subdomain origin not in the allowed origins", "wrong RP id", "user verification missing",
        "replayed challenge", "expired challenge", "challenge of another session", "tampered challenge", "not a credential",
    };

    [Theory]
    [MemberData(nameof(RefusedRegistrations))]
    public async Task EveryFailedRegistrationIsTheSameAnswerAndStoresNothing(string failure)
    {
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        var options = await _client.RegistrationOptionsAsync(user.AccessToken);
        JsonObject credential;
        switch (failure)
        {
            case "wrong origin":
                credential = authenticator.Register(options, "https://evil.example.net");
                break;
            case "subdomain origin not in the allowed origins":
                credential = authenticator.Register(options, "https://sub.app.example.com");
                break;
            case "wrong RP id":
                credential = authenticator.Register(options, PasskeyApi.Origin, rpId: "example.net");
                break;
            case "user verification missing":
                credential = authenticator.Register(options, PasskeyApi.Origin, userVerified: false);
                break;
            case "replayed challenge":
                using (var first = await _client.SendRegistrationAsync(user.AccessToken, authenticator.Register(options, PasskeyApi.Origin)))
                {
                    Assert.Equal(HttpStatusCode.Created, first.StatusCode);
                }

                using (var second = new SoftwareAuthenticator())
                {
                    credential = second.Register(options, PasskeyApi.Origin);
                }

                break;
            case "expired challenge":
                credential = authenticator.Register(options, PasskeyApi.Origin);
                _time.Advance(PasskeyService.ChallengeLifetime);
                break;
            case "challenge of another session":
                var other = await _client.LoginAsync(user.Email);
                credential = authenticator.Register(await _client.RegistrationOptionsAsync(other.AccessToken), PasskeyApi.Origin);
                break;
            case "tampered challenge":
                var challenge = SoftwareAuthenticator.FromBase64Url(options["challenge"]!.GetValue<string>());
                challenge[20] ^= 1;
                options["challenge"] = SoftwareAuthenticator.Base64Url(challenge);
                credential = authenticator.Register(options, PasskeyApi.Origin);
                break;
            default:
                credential = new JsonObject { ["id"] = "x", ["response"] = "nothing" };
                break;
        }

        var before = failure == "replayed challenge" ? 1 : 0;
        using var response = await _client.SendRegistrationAsync(user.AccessToken, credential);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "passkey_invalid");
        Assert.Equal("The passkey could not be verified. Try again, or sign in another way.", problem.GetProperty("detail").GetString());
        using var list = await _client.GetAsync("/api/auth/passkeys", user.AccessToken);
        Assert.Equal(before, (await list.ReadJsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task TwentyPasskeysAreTheMostAUserMayHold()
    {
        var user = await _client.SignupAsync();
        for (var i = 0; i < PasskeyService.MaxPerUser; i++)
        {
            using var authenticator = new SoftwareAuthenticator();
            await _client.RegisterPasskeyAsync(user.AccessToken, authenticator, $"Key {i}");
        }

        using var extra = new SoftwareAuthenticator();
        var options = await _client.RegistrationOptionsAsync(user.AccessToken);
        using var response = await _client.SendRegistrationAsync(user.AccessToken, extra.Register(options, PasskeyApi.Origin));

        await Problem.AssertAsync(response, HttpStatusCode.Conflict, "too_many_passkeys");
    }

    [Fact]
    public async Task ANameThatIsTooLongIsAValidationError()
    {
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        var options = await _client.RegistrationOptionsAsync(user.AccessToken);

        using var response = await _client.SendRegistrationAsync(user.AccessToken, authenticator.Register(options, PasskeyApi.Origin), new string('n', 101));

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task ACredentialRegisteredToOneUserCannotBeRegisteredToAnother()
    {
        var owner = await _client.SignupAsync();
        var thief = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        await _client.RegisterPasskeyAsync(owner.AccessToken, authenticator);

        var options = await _client.RegistrationOptionsAsync(thief.AccessToken);
        using var response = await _client.SendRegistrationAsync(thief.AccessToken, authenticator.Register(options, PasskeyApi.Origin));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "passkey_invalid");
    }

    [Fact]
    public async Task HasPasskeyAndRemoveAllAreWhatAnMfaResetAndMfaRequiredUse()
    {
        var user = await _client.SignupAsync();
        var bystander = await _client.SignupAsync();
        var passkeys = _app.Services.GetRequiredService<PasskeyService>();
        Assert.False(await passkeys.HasPasskeyAsync(user.UserId, CancellationToken.None));
        using var first = new SoftwareAuthenticator();
        using var second = new SoftwareAuthenticator();
        using var kept = new SoftwareAuthenticator();
        await _client.RegisterPasskeyAsync(user.AccessToken, first);
        await _client.RegisterPasskeyAsync(user.AccessToken, second);
        await _client.RegisterPasskeyAsync(bystander.AccessToken, kept);
        Assert.True(await passkeys.HasPasskeyAsync(user.UserId, CancellationToken.None));

        Assert.Equal(2, await passkeys.RemoveAllAsync(user.UserId, CancellationToken.None));

        Assert.False(await passkeys.HasPasskeyAsync(user.UserId, CancellationToken.None));
        Assert.Empty(await RowsNamingAsync(user.UserId));
        Assert.True(await passkeys.HasPasskeyAsync(bystander.UserId, CancellationToken.None));
        Assert.Equal(0, await passkeys.RemoveAllAsync(user.UserId, CancellationToken.None));
    }

    [Fact]
    public async Task DeletingTheAccountRemovesItsPasskeysAndTheirIndexEntries()
    {
        var user = await _client.SignupAsync();
        using var authenticator = new SoftwareAuthenticator();
        await _client.RegisterPasskeyAsync(user.AccessToken, authenticator);
        Assert.NotEmpty(await RowsNamingAsync(user.UserId));

        using (var refused = await _client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, user.AccessToken)))
        {
            // An account whose only second factor is a passkey needs it in the proof, as one with TOTP needs a code.
            await Problem.AssertAsync(refused, HttpStatusCode.Forbidden, "reauthentication_required");
        }

        var stepped = await _client.SteppedUpWithPasskeyAsync(user.AccessToken, authenticator);
        using var deleted = await _client.SendAsync(Api.Json(HttpMethod.Delete, "/api/auth/account", new { password = Api.Password }, stepped.AccessToken));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await RowsNamingAsync(user.UserId));
    }

    [Fact]
    public async Task TheRelyingPartyDefaultsToTheFirstAllowedOriginAndExplicitOriginsOffItAreRefusedAtStart()
    {
        // From CORS: the RP id is the first origin's host, and only the origins on it may use passkeys.
        await using (var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["Cors__AllowedOrigins"] = "https://a.example.com, https://b.example.com" }))
        {
            var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebAuthnOptions>>().Value;
            Assert.Equal("a.example.com", options.RpId);
            Assert.Equal(["https://a.example.com"], options.OriginList);
        }

        // Set explicitly, an origin that is not on the RP id is a configuration mistake, refused at start.
        var result = new WebAuthnOptionsValidator().Validate(null, new WebAuthnOptions { RpId = "example.com", Origins = "https://app.example.com,https://evil.example.net" });
        Assert.True(result.Failed);
        Assert.Contains("'https://evil.example.net' is not on the RP id 'example.com'", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new WebAuthnOptionsValidator().Validate(null, new WebAuthnOptions { RpId = "example.com", Origins = "https://app.example.com,https://example.com" }).Succeeded);
        Assert.True(new WebAuthnOptionsValidator().Validate(null, new WebAuthnOptions { RpId = "127.0.0.1", Origins = "http://127.0.0.1:5173" }).Failed);
    }

    [Fact]
    public async Task PasskeyRoutesNeedASignedInUser()
    {
        using var options = await _client.PostJsonAsync("/api/auth/passkeys/register/options", new { });
        await Problem.AssertUnauthorizedAsync(options, "token_missing");
        using var list = await _client.GetAsync("/api/auth/passkeys", accessToken: null);
        await Problem.AssertUnauthorizedAsync(list, "token_missing");
    }

    /// <summary>Passkey rows of the user (in the user's partition) and index entries naming the user.</summary>
    private async Task<List<string>> RowsNamingAsync(string userId)
    {
        var rows = new List<string>();
        await foreach (var row in _app.Table("UserSessions").QueryAsync<TableEntity>())
        {
            if ((row.PartitionKey == userId && row.RowKey.StartsWith("w:", StringComparison.Ordinal)) || row.GetString("UserId") == userId)
            {
                rows.Add(row.PartitionKey + "/" + row.RowKey);
            }
        }

        return rows;
    }
}
