using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>GET /api/users/{userId}: admins only. Each test runs its own app, because the admin address signs up once per app.</summary>
public sealed class GetUserTests(AzuriteFixture azurite) : AdminAppTests(azurite), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task AnAdminReadsAUserWithExactlyItsPublicFields()
    {
        var email = Api.NewEmail();
        var user = await Client.SignupAsync(email, name: "Ann");

        using var response = await Client.GetAsync("/api/users/" + user.UserId, Admin.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(["createdAt", "disabled", "email", "emailVerified", "id", "mfaEnabled", "name", "roles"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(user.UserId, body.GetProperty("id").GetString());
        Assert.Equal(email, body.GetProperty("email").GetString());
        Assert.Equal("Ann", body.GetProperty("name").GetString());
        Assert.Equal(["user"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(
            user.Body.GetProperty("user").GetProperty("createdAt").GetDateTimeOffset(),
            body.GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task AUserWithoutTheAdminRoleIsForbidden()
    {
        var caller = await Client.SignupAsync();
        var other = await Client.SignupAsync();

        using var response = await Client.GetAsync("/api/users/" + other.UserId, caller.AccessToken);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task ANonAdminCannotReadEvenItself()
    {
        var caller = await Client.SignupAsync();

        using var response = await Client.GetAsync("/api/users/" + caller.UserId, caller.AccessToken);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")] // well formed, but nobody's
    [InlineData("x")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")] // ids are lower case
    [InlineData("..%2F..")]
    [InlineData("%2E%2E%2F%2E%2E")]
    [InlineData("%27%20or%201%20eq%201")]
    [InlineData("a%23b%3Fc%5Cd")]
    [InlineData("%E2%80%AE%F0%9F%94%90")]
    [InlineData("%3Cscript%3E")]
    public async Task AnUnknownOrMalformedIdIsNotFound(string encodedId)
    {
        using var response = await Client.GetAsync("/api/users/" + encodedId, Admin.AccessToken);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task WithoutATokenTheAnswerIsTokenMissing()
    {
        using var response = await Client.GetAsync("/api/users/" + Admin.UserId, accessToken: null);

        await Problem.AssertUnauthorizedAsync(response, "token_missing");
    }
}
