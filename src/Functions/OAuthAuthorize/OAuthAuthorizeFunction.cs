using FuncAuth.Core.Abuse;
using FuncAuth.Core.OAuth;
using FuncAuth.Core.Options;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.OAuth;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions;

public static class OAuthAuthorizeFunction
{
    public static IEndpointRouteBuilder MapOAuthAuthorize(this IEndpointRouteBuilder app)
    {
        app.MapGet("/oauth/authorize", HandleAsync).WithName("OAuthAuthorize")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress, (_, retryAfter) => ErrorPage.TooManyRequests(retryAfter));
        return app;
    }

    /// <summary>
    /// The authorization endpoint (RFC 6749 §4.1.1, RFC 7636, RFC 9207). An unknown client or a redirect URI not
    /// registered for it is a 400 page, never a redirect (an open redirector otherwise); every other error goes back to
    /// the client with <c>error</c>, <c>state</c> and <c>iss</c>. A valid request is kept server-side and the browser goes
    /// to the sign-in page with its id. One storage call.
    /// </summary>
    public static async Task<IResult> HandleAsync(
        HttpRequest request, IOptions<OAuthOptions> oauth, IOptions<AuthOptions> auth, LoginPage loginPage, AuthorizationService authorization, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (query["client_id"].Count > 1 || query["redirect_uri"].Count > 1)
        {
            return ErrorPage.BadRequest("The request repeats client_id or redirect_uri.");
        }

        var client = oauth.Value.Find(query["client_id"].ToString());
        if (client is null)
        {
            return ErrorPage.BadRequest("The application that sent you here is not registered with this service.");
        }

        // RFC 6749 §3.1.2.3 lets a client with one redirect URI leave it out; OAuth 2.1 and RFC 9700 want it exact, always.
        var redirectUri = query["redirect_uri"].ToString();
        if (!client.Registers(redirectUri))
        {
            return ErrorPage.BadRequest("The application asked to return you to an address it has not registered.");
        }

        var state = Single(query, "state");
        var issuer = auth.Value.Issuer;
        IResult Back(string error, string description) =>
            TypedResults.Redirect(AuthorizationService.RedirectWith(redirectUri, [("error", error), ("error_description", description), ("state", state), ("iss", issuer)]));

        if (query.Any(p => p.Value.Count > 1))
        {
            return Back("invalid_request", "A parameter is repeated.");
        }

        if (Single(query, "response_type") != "code")
        {
            return Back("unsupported_response_type", "Only response_type=code is supported.");
        }

        if (Single(query, "response_mode") is { } mode && mode is not ("query" or "form_post"))
        {
            return Back("invalid_request", "response_mode must be query.");
        }

        if (Single(query, "request") is not null)
        {
            return Back("request_not_supported", "Request objects are not supported.");
        }

        if (Single(query, "request_uri") is not null)
        {
            return Back("request_uri_not_supported", "request_uri is not supported.");
        }

        if (Single(query, "code_challenge_method") != Pkce.S256)
        {
            return Back("invalid_request", "PKCE is required with code_challenge_method=S256; plain is not accepted.");
        }

        var challenge = Single(query, "code_challenge");
        if (!Pkce.IsChallenge(challenge))
        {
            return Back("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the code verifier.");
        }

        var scopes = (Single(query, "scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
        if (scopes.Any(s => !OAuthScopes.Supported.Contains(s)))
        {
            return Back("invalid_scope", "Supported scopes: " + string.Join(' ', OAuthScopes.Supported) + ".");
        }

        var nonce = Single(query, "nonce");
        if ((state?.Length ?? 0) > 500 || (nonce?.Length ?? 0) > 500)
        {
            return Back("invalid_request", "state and nonce may be at most 500 characters.");
        }

        // No session lives at this endpoint (FuncAuth keeps none in cookies), so it cannot answer without the user.
        if (Single(query, "prompt") == "none")
        {
            return Back("login_required", "The user must sign in.");
        }

        var requestId = await authorization.StartAsync(new AuthorizationRequest(client, redirectUri, challenge!, state, scopes, nonce), cancellationToken);
        return TypedResults.Redirect(loginPage.Url + "?request=" + requestId);
    }

    private static string? Single(IQueryCollection query, string name) => query[name].ToString() is { Length: > 0 } value ? value : null;
}
