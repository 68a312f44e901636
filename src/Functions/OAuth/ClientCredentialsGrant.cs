using System.Text;
using System.Diagnostics;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace FuncAuth.Functions.OAuth;

/// <summary>
/// The <c>client_credentials</c> grant of <c>POST /oauth/token</c> (RFC 6749 §4.4): the client authenticates with an API
/// key, by HTTP Basic (§2.3.1) or by <c>client_id</c> / <c>client_secret</c> fields, and receives an access token with
/// no refresh token. Errors answer the OAuth way (§5.2); a failed client authentication is 401 <c>invalid_client</c>,
/// with <c>WWW-Authenticate: Basic</c> when the client used Basic.
/// </summary>
public sealed class ClientCredentialsGrant(ApiKeyService apiKeys) : ITokenGrant
{
    public const string Type = "client_credentials";

    public string GrantType => Type;

    /// <summary>
    /// Answers a client_credentials request. Checking for repeated fields and the content type is the token endpoint's
    /// job (<see cref="OAuthFields"/>).
    /// </summary>
    public async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> IssueAsync(HttpRequest request, OAuthFields fields, CancellationToken cancellationToken)
    {
        var (credentials, problem) = ReadCredentials(request, name => fields[name]);
        if (credentials is null)
        {
            return problem ?? throw new UnreachableException();
        }

        var result = await apiKeys.IssueClientTokenAsync(credentials.ClientId, credentials.ClientSecret, fields["scope"], cancellationToken);
        return (result.Status, result.Token) switch
        {
            (ClientCredentialsStatus.Issued, { } token) => new ClientTokenIssued(new ClientTokenResponse(token.AccessToken, "Bearer", token.ExpiresIn, token.Scope)),
            (ClientCredentialsStatus.InvalidScope, _) => OAuthError.InvalidScope(result.Description ?? "The scope is beyond the key's."),
            (ClientCredentialsStatus.InvalidClient, _) => OAuthError.InvalidClient(result.Description ?? "The client credentials are not valid.", credentials.UsedBasic),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>
    /// The client's credentials from HTTP Basic or the body, or the error to answer: a malformed Basic header or no
    /// credentials is <c>invalid_client</c>; credentials in both places is <c>invalid_request</c> (RFC 6749 §2.3).
    /// </summary>
    public static (ClientCredentials? Credentials, OAuthError? Error) ReadCredentials(HttpRequest request, Func<string, string?> field)
    {
        var bodyId = field("client_id");
        var bodySecret = field("client_secret");
        var header = request.Headers[HeaderNames.Authorization].ToString();
        const string basic = "Basic ";
        if (header.StartsWith(basic, StringComparison.OrdinalIgnoreCase))
        {
            var basicCredentials = DecodeBasic(header[basic.Length..].Trim());
            if (basicCredentials is null)
            {
                return (null, OAuthError.InvalidClient("The Basic credentials are malformed.", usedBasic: true));
            }

            if (bodySecret is not null || (bodyId is not null && bodyId != basicCredentials.Value.Id))
            {
                return (null, OAuthError.InvalidRequest("Use one client authentication method: HTTP Basic or body fields, not both."));
            }

            return (new ClientCredentials(basicCredentials.Value.Id, basicCredentials.Value.Secret, UsedBasic: true), null);
        }

        if (string.IsNullOrEmpty(bodyId) || string.IsNullOrEmpty(bodySecret))
        {
            return (null, OAuthError.InvalidClient("Client authentication is required: HTTP Basic or client_id and client_secret.", usedBasic: false));
        }

        return (new ClientCredentials(bodyId, bodySecret, UsedBasic: false), null);
    }

    /// <summary>RFC 6749 §2.3.1: base64 of "id:secret", each form-urlencoded first.</summary>
    private static (string Id, string Secret)? DecodeBasic(string value)
    {
        if (value.Length is 0 or > 2048)
        {
            return null;
        }

        var bytes = new byte[value.Length];
        if (!Convert.TryFromBase64String(value, bytes, out var length))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        return (FormDecode(text[..colon]), FormDecode(text[(colon + 1)..]));
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
