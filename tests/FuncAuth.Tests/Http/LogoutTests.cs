using System.Net;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

public sealed class LogoutTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly HttpClient _client = azurite.App.CreateClient();

    [Theory]
    [InlineData("POST")]
    [InlineData("DELETE")]
    public async Task LogoutAnswersNoContentAndEndsTheSession(string method)
    {
        var user = await _client.SignupAsync();

        using var response = await _client.SendAsync(Api.Authorized(new HttpMethod(method), "/api/auth/logout", user.AccessToken));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await AssertEndedAsync(user);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("local")]
    public async Task LocalLogoutEndsOnlyTheCallersSession(string? scope)
    {
        var caller = await _client.SignupAsync();
        var otherDevice = await _client.LoginAsync(caller.Email);

        using var response = await LogoutAsync(caller.AccessToken, scope);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await AssertEndedAsync(caller);
        await AssertLiveAsync(otherDevice);
    }

    [Fact]
    public async Task GlobalLogoutEndsEverySessionOfTheUser()
    {
        var caller = await _client.SignupAsync();
        var otherDevices = new[] { await _client.LoginAsync(caller.Email), await _client.LoginAsync(caller.Email) };
        var stranger = await _client.SignupAsync();

        using var response = await LogoutAsync(caller.AccessToken, "global");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var session in otherDevices.Prepend(caller))
        {
            await AssertEndedAsync(session);
        }

        await AssertLiveAsync(stranger);
    }

    [Fact]
    public async Task LogoutOfOthersEndsEverySessionButTheCallers()
    {
        var caller = await _client.SignupAsync();
        var otherDevices = new[] { await _client.LoginAsync(caller.Email), await _client.LoginAsync(caller.Email) };

        using var response = await LogoutAsync(caller.AccessToken, "others");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var session in otherDevices)
        {
            await AssertEndedAsync(session);
        }

        await AssertLiveAsync(caller);
    }

    [Theory]
    [InlineData("everywhere")]
    [InlineData("")]
    [InlineData("GLOBAL")]
    public async Task AnUnknownScopeFailsValidationAndEndsNothing(string scope)
    {
        var caller = await _client.SignupAsync();

        using var response = await LogoutAsync(caller.AccessToken, scope);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("scope", out _));
        await AssertLiveAsync(caller);
    }

    [Fact]
    public async Task LogoutWithoutATokenIsTokenMissing()
    {
        using var response = await LogoutAsync(accessToken: null, "global");

        await Problem.AssertUnauthorizedAsync(response, "token_missing");
    }

    [Fact]
    public async Task LogoutWithAMalformedTokenIsTokenInvalid()
    {
        using var response = await LogoutAsync("not.a.jwt", "global");

        await Problem.AssertUnauthorizedAsync(response, "token_invalid");
    }

    [Fact]
    public async Task LogoutWithATokenWhoseSessionEndedIsTokenRevoked()
    {
        var caller = await _client.SignupAsync();
        var otherDevice = await _client.LoginAsync(caller.Email);
        using (var global = await LogoutAsync(otherDevice.AccessToken, "global"))
        {
            Assert.Equal(HttpStatusCode.NoContent, global.StatusCode);
        }

        using var response = await LogoutAsync(caller.AccessToken, "global");

        await Problem.AssertUnauthorizedAsync(response, "token_revoked");
    }

    [Fact]
    public async Task LoggingOutTwiceWithOneTokenIsTokenRevokedTheSecondTime()
    {
        var caller = await _client.SignupAsync();
        using (var first = await LogoutAsync(caller.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        using var second = await LogoutAsync(caller.AccessToken);

        await Problem.AssertUnauthorizedAsync(second, "token_revoked");
    }

    /// <summary>Logs out with <paramref name="scope"/> in the body, or with no body at all when it is null.</summary>
    private Task<HttpResponseMessage> LogoutAsync(string? accessToken, string? scope = null) =>
        _client.SendAsync(scope is null
            ? Api.Authorized(HttpMethod.Post, "/api/auth/logout", accessToken)
            : Api.Json(HttpMethod.Post, "/api/auth/logout", new { scope }, accessToken));

    private async Task AssertEndedAsync(Tokens session)
    {
        using var me = await _client.GetAsync("/api/auth/me", session.AccessToken);
        await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        using var refresh = await _client.RefreshAsync(session.RefreshToken);
        await Problem.AssertAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    private async Task AssertLiveAsync(Tokens session)
    {
        using var me = await _client.GetAsync("/api/auth/me", session.AccessToken);
        Assert.True(me.StatusCode == HttpStatusCode.OK, $"/me answered {(int)me.StatusCode}: {await me.Content.ReadAsStringAsync()}");
        using var refresh = await _client.RefreshAsync(session.RefreshToken);
        Assert.True(refresh.StatusCode == HttpStatusCode.OK, $"Refresh answered {(int)refresh.StatusCode}: {await refresh.Content.ReadAsStringAsync()}");
    }
}
