using System.Net;
using System.Text.Json;
using FuncAuth.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.Http;

public sealed class SignupTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly HttpClient _client = azurite.App.CreateClient();

    [Fact]
    public async Task SignupCreatesTheUserAndSignsItIn()
    {
        var email = Api.NewEmail();
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email = "  " + email + " ", password = Api.Password, passwordConfirmation = Api.Password, name = "Ann" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync();
        var user = body.GetProperty("user");
        var id = user.GetProperty("id").GetString()!;
        Assert.Equal("/api/users/" + id, response.Headers.Location?.OriginalString);
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.Equal("Ann", user.GetProperty("name").GetString());
        Assert.Equal(["user"], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(user.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
        Assert.True(body.GetProperty("refresh_token").GetString()!.Length >= 43);
        var accessToken = body.GetProperty("access_token").GetString()!;
        Assert.Equal("Bearer " + accessToken, response.Headers.GetValues("Authorization").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());

        var jwt = new JsonWebToken(accessToken);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal("http://localhost:7071", jwt.Issuer);
        Assert.Equal(["funcauth-api"], jwt.Audiences);
        Assert.Equal(id, jwt.Subject);
        Assert.Equal("funcauth", jwt.GetClaim("client_id").Value);
        Assert.Equal(email, jwt.GetClaim("email").Value);
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.False(string.IsNullOrEmpty(jwt.GetClaim("sid").Value));
        Assert.Equal(TimeSpan.FromMinutes(15), jwt.ValidTo - jwt.IssuedAt);
        Assert.Equal(jwt.IssuedAt, jwt.ValidFrom);
        using var payload = JsonDocument.Parse(Base64UrlDecode(jwt.EncodedPayload));
        Assert.Equal(JsonValueKind.Array, payload.RootElement.GetProperty("roles").ValueKind);
    }

    [Fact]
    public async Task SignupReportsEveryBrokenRuleAtOnce()
    {
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email = "not-an-address", password = "short", passwordConfirmation = "different", name = new string('n', 101) });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.Equal(["email", "name", "password", "passwordConfirmation"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a@")]
    [InlineData("@example.com")]
    [InlineData("Ann <ann@example.com>")]
    [InlineData("ann@exa\nmple.com")]
    public async Task SignupRejectsAnAddressThatIsNotAnEmail(string email)
    {
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _));
    }

    [Fact]
    public async Task SignupRejectsAnAddressLongerThan254Characters()
    {
        var email = new string('a', 64) + "@" + new string('b', 180) + ".example.com";
        Assert.True(email.Length > 254);
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password });

        await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(8, true)]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public async Task PasswordLengthMustBeEightTo128Characters(int length, bool accepted)
    {
        var password = new string('p', length);
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email = Api.NewEmail(), password, passwordConfirmation = password });

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        else
        {
            var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
            Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        }
    }

    [Fact]
    public async Task PasswordMayBeAnyCharactersWithoutCompositionRules()
    {
        const string password = "≈ 🔐 日本語 пароль";
        var email = Api.NewEmail();
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email, password, passwordConfirmation = password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        await _client.LoginAsync(email, password);
    }

    [Fact]
    public async Task PasswordMustNotEqualTheEmail()
    {
        var email = Api.NewEmail();
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email, password = email.ToUpperInvariant(), passwordConfirmation = email.ToUpperInvariant() });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task PasswordConfirmationIsRequired()
    {
        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email = Api.NewEmail(), password = Api.Password });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("passwordConfirmation", out _));
    }

    [Fact]
    public async Task SignupFailsGivenAnEmailRegisteredInAnotherCase()
    {
        var email = Api.NewEmail();
        await _client.SignupAsync(email);

        using var response = await _client.PostJsonAsync("/api/auth/signup", new { email = email.ToUpperInvariant(), password = Api.Password, passwordConfirmation = Api.Password });

        await Problem.AssertAsync(response, HttpStatusCode.Conflict, "email_taken");
    }

    [Fact]
    public async Task AnAddressListedInAdminEmailsBecomesAdmin()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite);
        var tokens = await app.CreateClient().SignupAsync(FuncAuthApp.AdminEmail.ToUpperInvariant());

        Assert.Equal(["user", "admin"], tokens.Body.GetProperty("user").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task TwentyConcurrentSignupsWithOneEmailCreateExactlyOneUser()
    {
        var email = Api.NewEmail("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            _client.PostJsonAsync("/api/auth/signup", new { email, password = Api.Password, passwordConfirmation = Api.Password })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await Problem.AssertAsync(response, HttpStatusCode.Conflict, "email_taken");
        }

        // The winner's credentials work: the losers' compensation did not remove anything of it.
        await _client.LoginAsync(email);
    }

    private static byte[] Base64UrlDecode(string value) => System.Buffers.Text.Base64Url.DecodeFromChars(value);
}
