using System.Net;
using System.Text.Json;
using FuncAuth.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FuncAuth.Tests.Http;

public sealed class LoginTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly HttpClient _client = azurite.App.CreateClient();

    [Fact]
    public async Task LoginSignsInWithATokenResponse()
    {
        var signup = await _client.SignupAsync(name: "Ann");

        using var response = await _client.PostJsonAsync("/api/auth/login", new { email = signup.Email, password = Api.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await Tokens.ReadAsync(response);
        Assert.Equal(signup.UserId, tokens.UserId);
        Assert.Equal("Bearer", tokens.Body.GetProperty("token_type").GetString());
        Assert.Equal(900, tokens.Body.GetProperty("expires_in").GetInt32());
        Assert.Equal("Ann", tokens.Body.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("Bearer " + tokens.AccessToken, response.Headers.GetValues("Authorization").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());
    }

    [Fact]
    public async Task EachLoginOpensANewSession()
    {
        var signup = await _client.SignupAsync();

        var first = await _client.LoginAsync(signup.Email);
        var second = await _client.LoginAsync(signup.Email);

        var sessions = new[] { signup, first, second }.Select(t => new JsonWebToken(t.AccessToken).GetClaim("sid").Value);
        Assert.Equal(3, sessions.Distinct().Count());
        Assert.Equal(3, new[] { signup.RefreshToken, first.RefreshToken, second.RefreshToken }.Distinct().Count());
    }

    [Fact]
    public async Task TheEmailIsMatchedTrimmedAndCaseInsensitively()
    {
        var signup = await _client.SignupAsync();

        var tokens = await _client.LoginAsync("  " + signup.Email.ToUpperInvariant() + " ");

        Assert.Equal(signup.UserId, tokens.UserId);
    }

    [Fact]
    public async Task AnUnknownEmailAndAWrongPasswordGetTheSameAnswer()
    {
        var signup = await _client.SignupAsync();

        using var wrongPassword = await _client.PostJsonAsync("/api/auth/login", new { email = signup.Email, password = "not the password" });
        using var unknownEmail = await _client.PostJsonAsync("/api/auth/login", new { email = Api.NewEmail(), password = Api.Password });

        var a = await Problem.AssertAsync(wrongPassword, HttpStatusCode.Unauthorized, "invalid_credentials");
        var b = await Problem.AssertAsync(unknownEmail, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(WithoutTraceId(a), WithoutTraceId(b));
        Assert.Equal(wrongPassword.Headers.Select(h => h.Key).Order(), unknownEmail.Headers.Select(h => h.Key).Order());
    }

    [Fact]
    public async Task MissingFieldsFailValidation()
    {
        using var response = await _client.PostJsonAsync("/api/auth/login", new { email = " " });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["email", "password"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
    }

    private static string WithoutTraceId(JsonElement problem) =>
        JsonSerializer.Serialize(problem.EnumerateObject().Where(p => p.Name != "traceId").ToDictionary(p => p.Name, p => p.Value));
}
