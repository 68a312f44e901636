using FuncAuth.Core.Sessions;

namespace FuncAuth.Functions.Http;

/// <summary>
/// A token response: the JSON body, the access token again in <c>Authorization</c> (what devise-jwt clients read),
/// and no caching anywhere on the way.
/// </summary>
public sealed class TokenIssued : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TokenResponse>
{
    private TokenIssued(int statusCode, TokenResponse value, string? location)
    {
        StatusCode = statusCode;
        Value = value;
        Location = location;
    }

    public int? StatusCode { get; }

    public TokenResponse? Value { get; }

    object? IValueHttpResult.Value => Value;

    public string? Location { get; }

    public static TokenIssued Ok(IssuedTokens tokens) => new(StatusCodes.Status200OK, TokenResponse.From(tokens), null);

    /// <summary>The code grant's answer: the granted <c>scope</c>, and an OpenID Connect <c>id_token</c> for scope openid.</summary>
    public static TokenIssued Ok(IssuedTokens tokens, string? idToken, string scope) =>
        new(StatusCodes.Status200OK, TokenResponse.From(tokens) with { IdToken = idToken, Scope = scope.Length > 0 ? scope : null }, null);

    public static TokenIssued Created(IssuedTokens tokens) =>
        new(StatusCodes.Status201Created, TokenResponse.From(tokens), "/api/users/" + tokens.User.Id);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode!.Value;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.Authorization = "Bearer " + Value!.AccessToken;
        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        return response.WriteAsJsonAsync(Value, AppJsonContext.Default.TokenResponse, contentType: "application/json; charset=utf-8", httpContext.RequestAborted);
    }
}
