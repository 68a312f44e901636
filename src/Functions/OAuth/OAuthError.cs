namespace FuncAuth.Functions.OAuth;

/// <summary>The error codes of RFC 6749 §5.2 and RFC 7009 that the OAuth endpoints answer with. Never renamed.</summary>
public static class OAuthErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidScope = "invalid_scope";
    public const string UnsupportedGrantType = "unsupported_grant_type";
}

/// <summary>
/// An OAuth error answer (RFC 6749 §5.2): <c>{ "error", "error_description" }</c>, 400 unless stated, never cached.
/// OAuth client libraries parse this shape, not Problem Details.
/// </summary>
public sealed class OAuthError : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<OAuthErrorResponse>
{
    private OAuthError(int statusCode, OAuthErrorResponse value)
    {
        StatusCode = statusCode;
        Value = value;
    }

    public int? StatusCode { get; }

    public OAuthErrorResponse? Value { get; }

    object? IValueHttpResult.Value => Value;

    public static OAuthError InvalidRequest(string description) => new(StatusCodes.Status400BadRequest, new(OAuthErrorCodes.InvalidRequest, description));

    public static OAuthError InvalidGrant(string description) => new(StatusCodes.Status400BadRequest, new(OAuthErrorCodes.InvalidGrant, description));

    public static OAuthError UnsupportedGrantType(string description) =>
        new(StatusCodes.Status400BadRequest, new(OAuthErrorCodes.UnsupportedGrantType, description));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode!.Value;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        return response.WriteAsJsonAsync(Value, OAuthJsonContext.Default.OAuthErrorResponse, contentType: "application/json; charset=utf-8", httpContext.RequestAborted);
    }
}
