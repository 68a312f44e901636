using System.Net;
using System.Text.Json;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FuncAuth.Tests.ApiKeys;

/// <summary>X-API-Key on GET /api/auth/me: one answer for every key that is not accepted.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyAuthenticationTests(AzuriteFixture azurite) : IAsyncLifetime
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
    public async Task MeWithAValidKeyAnswersTheKeysOwner()
    {
        var user = await _client.SignupAsync(name: "Batch");
        var created = await _client.CreateKeyAsync(user.AccessToken);

        using var response = await _client.MeWithKeyAsync(created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(user.UserId, body.GetProperty("id").GetString());
        Assert.Equal(user.Email, body.GetProperty("email").GetString());
    }

    [Fact]
    public async Task UnknownMalformedRevokedExpiredAndWrongSecretKeysGetOneAndTheSameAnswer()
    {
        var user = await _client.SignupAsync();
        var revoked = await _client.CreateKeyAsync(user.AccessToken, "revoked");
        var expiring = await _client.CreateKeyAsync(user.AccessToken, "expiring", expiresInDays: 1);
        var live = await _client.CreateKeyAsync(user.AccessToken, "live", expiresInDays: 2);
        using (var revoke = await _client.DeleteAsync("/api/auth/api-keys/" + revoked.Id, user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        _time.Advance(TimeSpan.FromDays(1));
        var wrongSecret = "fa_" + live.Id + "_" + new string('A', 43);
        var unknown = "fa_" + user.UserId + "0123456789abcdef_" + live.Secret;
        var presented = new[] { unknown, "fa_nope", "Bearer " + live.Key, live.Key + "=", revoked.Key, expiring.Key, wrongSecret };

        var answers = new List<string>();
        foreach (var key in presented)
        {
            using var response = await _client.MeWithKeyAsync(key);
            await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
            Assert.Equal("ApiKey", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            answers.Add(Normalize(await response.Content.ReadAsStringAsync()));
        }

        Assert.Single(answers.Distinct());
        using var stillLive = await _client.MeWithKeyAsync(live.Key);
        Assert.Equal(HttpStatusCode.OK, stillLive.StatusCode);
    }

    [Fact]
    public async Task AKeyWorksUntilTheSecondItExpires()
    {
        var user = await _client.SignupAsync();
        var created = await _client.CreateKeyAsync(user.AccessToken, expiresInDays: 1);

        _time.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        using (var before = await _client.MeWithKeyAsync(created.Key))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        using var after = await _client.MeWithKeyAsync(created.Key);
        await Problem.AssertAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task XApiKeyIsAcceptedOnMeOnly()
    {
        var created = await _client.CreateKeyAsync((await _client.SignupAsync()).AccessToken);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/auth/api-keys"), (HttpMethod.Post, "/api/auth/logout"), (HttpMethod.Get, "/api/users/" + new string('0', 32)) })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add("X-API-Key", created.Key);
            using var response = await _client.SendAsync(request);
            await Problem.AssertUnauthorizedAsync(response, "token_missing");
        }
    }

    [Fact]
    public async Task AKeyOfAnAdminDoesNotMakeMeShowMoreThanTheProfile()
    {
        var user = await _client.SignupAsync();
        var created = await _client.CreateKeyAsync(user.AccessToken);

        using var response = await _client.MeWithKeyAsync(created.Key);

        Assert.Equal(["createdAt", "email", "emailVerified", "id", "mfaEnabled", "name", "roles"], (await response.ReadJsonAsync()).EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    private static string Normalize(string problem)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString(new JsonSerializerOptions());
    }
}
