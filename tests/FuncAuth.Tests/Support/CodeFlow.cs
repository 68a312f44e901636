using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using Microsoft.IdentityModel.Tokens;

namespace FuncAuth.Tests.Support;

/// <summary>The authorization code flow as a client and the sign-in page drive it, one step at a time.</summary>
public sealed class CodeFlow(HttpClient client)
{
    public const string ClientId = "notes-app";
    public const string RedirectUri = "https://notes.example.com/callback";
    public const string OtherClientId = "other-app";
    public const string OtherRedirectUri = "https://other.example.com/cb";
    public const string FirstPartyClientId = "console";

    /// <summary>Two third-party clients and a first-party one, the sign-in page at the SPA's origin.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["OAuth__Clients__0__ClientId"] = ClientId,
        ["OAuth__Clients__0__Name"] = "Notes",
        ["OAuth__Clients__0__RedirectUris"] = RedirectUri + ", http://127.0.0.1:5050/cb",
        ["OAuth__Clients__1__ClientId"] = OtherClientId,
        ["OAuth__Clients__1__Name"] = "Other",
        ["OAuth__Clients__1__RedirectUris"] = OtherRedirectUri,
        ["OAuth__Clients__2__ClientId"] = FirstPartyClientId,
        ["OAuth__Clients__2__Name"] = "Console",
        ["OAuth__Clients__2__RedirectUris"] = "https://console.example.com/cb",
        ["OAuth__Clients__2__FirstParty"] = "true",
    };

    public string Verifier { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public string Challenge => ChallengeOf(Verifier);

    public string State { get; } = Guid.NewGuid().ToString("N");

    public static string ChallengeOf(string verifier) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>The authorization request's query with these parameters changed (a null value leaves it out).</summary>
    public string AuthorizeUrl(params (string Name, string? Value)[] changes)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = ClientId,
            ["redirect_uri"] = RedirectUri,
            ["code_challenge"] = Challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = State,
            ["scope"] = "openid email profile",
            ["nonce"] = "n-" + State,
        };
        foreach (var (name, value) in changes)
        {
            parameters[name] = value;
        }

        return "/oauth/authorize?" + string.Join('&', parameters.Where(p => p.Value is not null).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));
    }

    public Task<HttpResponseMessage> AuthorizeAsync(params (string Name, string? Value)[] changes) => client.GetAsync(AuthorizeUrl(changes));

    /// <summary>A valid request: its id from the redirect to the sign-in page.</summary>
    public async Task<string> StartAsync(params (string Name, string? Value)[] changes)
    {
        using var response = await AuthorizeAsync(changes);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith("https://app.example.com/authorize?request=", location.ToString(), StringComparison.Ordinal);
        return HttpUtility.ParseQueryString(location.Query)["request"]!;
    }

    public Task<HttpResponseMessage> CompleteAsync(string accessToken, string requestId, bool approve = true) =>
        client.PostJsonAsync("/api/oauth/authorize/complete", new { request = requestId, approve }, accessToken);

    /// <summary>The redirect the sign-in page follows after an approval, parsed.</summary>
    public async Task<(Uri RedirectTo, System.Collections.Specialized.NameValueCollection Query)> ApproveAsync(string accessToken, string requestId, bool approve = true)
    {
        using var response = await CompleteAsync(accessToken, requestId, approve);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var redirectTo = new Uri((await response.ReadJsonAsync()).GetProperty("redirectTo").GetString()!);
        return (redirectTo, HttpUtility.ParseQueryString(redirectTo.Query));
    }

    /// <summary>A code for a fresh request approved by the user of <paramref name="accessToken"/>.</summary>
    public async Task<string> CodeAsync(string accessToken, params (string Name, string? Value)[] changes)
    {
        var (_, query) = await ApproveAsync(accessToken, await StartAsync(changes));
        return query["code"]!;
    }

    public Task<HttpResponseMessage> RedeemAsync(string code, string? verifier = null, string clientId = ClientId, string redirectUri = RedirectUri) =>
        client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectUri), ("client_id", clientId), ("code_verifier", verifier ?? Verifier));
}
