using System.Net;
using FuncAuth.Tests.Support;
using static FuncAuth.Tests.Support.OAuth;

namespace FuncAuth.Tests.Http;

/// <summary>POST /oauth/revoke (RFC 7009): a refresh or access token ends its session; the answer never tells tokens apart.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OAuthRevokeTests(AzuriteFixture azurite)
{
    private readonly HttpClient _client = azurite.App.CreateClient();

    [Theory]
    [InlineData(OAuth.Encoding.Form, null)]
    [InlineData(OAuth.Encoding.Json, "refresh_token")]
    [InlineData(OAuth.Encoding.Form, "access_token")]
    public async Task RevokingARefreshTokenEndsItsSession(OAuth.Encoding encoding, string? hint)
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);

        using var response = await _client.RevokeAsync(encoding, Fields(user.RefreshToken, hint));

        await AssertEmptyOkAsync(response);
        using var refresh = await _client.RefreshAsync(user.RefreshToken);
        await Problem.AssertAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        using var me = await _client.GetAsync("/api/auth/me", user.AccessToken);
        await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        // Only that session: the user's other device stays signed in.
        using var otherMe = await _client.GetAsync("/api/auth/me", other.AccessToken);
        Assert.Equal(HttpStatusCode.OK, otherMe.StatusCode);
    }

    [Theory]
    [InlineData(OAuth.Encoding.Form, "access_token")]
    [InlineData(OAuth.Encoding.Json, null)]
    [InlineData(OAuth.Encoding.Json, "refresh_token")]
    public async Task RevokingAnAccessTokenEndsItsSession(OAuth.Encoding encoding, string? hint)
    {
        var user = await _client.SignupAsync();

        using var response = await _client.RevokeAsync(encoding, Fields(user.AccessToken, hint));

        await AssertEmptyOkAsync(response);
        using var me = await _client.GetAsync("/api/auth/me", user.AccessToken);
        await Problem.AssertUnauthorizedAsync(me, "token_revoked");
        using var refresh = await _client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "refresh_token"), ("refresh_token", user.RefreshToken));
        await AssertErrorAsync(refresh, "invalid_grant");
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("a.b.c")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.0.k1.x")]
    public async Task AnUnknownTokenIsAnsweredLikeAnyOther(string token)
    {
        using var response = await _client.RevokeAsync(OAuth.Encoding.Form, ("token", token));

        await AssertEmptyOkAsync(response);
    }

    [Fact]
    public async Task RevokingTwiceIsFine()
    {
        var user = await _client.SignupAsync();

        using var first = await _client.RevokeAsync(OAuth.Encoding.Form, ("token", user.RefreshToken));
        using var second = await _client.RevokeAsync(OAuth.Encoding.Form, ("token", user.RefreshToken));

        await AssertEmptyOkAsync(first);
        await AssertEmptyOkAsync(second);
    }

    [Theory]
    [InlineData(OAuth.Encoding.Form)]
    [InlineData(OAuth.Encoding.Json)]
    public async Task ARequestWithoutTokenIsInvalidRequest(OAuth.Encoding encoding)
    {
        using var response = await _client.RevokeAsync(encoding, ("token_type_hint", "refresh_token"));

        await AssertErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task ABodyOfAnotherTypeIsInvalidRequest()
    {
        using var response = await _client.SendAsync(Api.Raw(HttpMethod.Post, "/oauth/revoke", "token=x", "text/plain"));

        await AssertErrorAsync(response, "invalid_request");
    }

    private static (string, string)[] Fields(string token, string? hint) =>
        hint is null ? [("token", token)] : [("token", token), ("token_type_hint", hint)];

    private static async Task AssertEmptyOkAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }
}
