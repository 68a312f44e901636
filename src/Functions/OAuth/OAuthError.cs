namespace FuncAuth.Functions.OAuth;

/// <summary>
/// An OAuth error answer (RFC 6749 §5.2): <c>{ "error", "error_description" }</c>, 400 unless stated, never cached.
/// OAuth client libraries parse this shape, not Problem Details.
/// </summary>
public sealed class OAuthError : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<OAuthErrorResponse>
{
    private OAuthError(int statusCode, OAuthErrorResponse value, int? retryAfterSeconds = null, string? challenge = null)
    {
        StatusCode = statusCode;
        Value = value;
        RetryAfterSeconds = retryAfterSeconds;
        Challenge = challenge;
    }

    public int? StatusCode { get; }

    public OAuthErrorResponse? Value { get; }

    public int? RetryAfterSeconds { get; }

    /// <summary>The <c>WWW-Authenticate</c> value, for a client that authenticated with HTTP Basic (RFC 6749 §5.2).</summary>
    public string? Challenge { get; }

    object? IValueHttpResult.Value => Value;

    public static OAuthError InvalidRequest(string description) => new(StatusCodes.Status400BadRequest, new(OAuthErrorCodes.InvalidRequest, description));

    public static OAuthError InvalidGrant(string description) => new(StatusCodes.Status400BadRequest, new(OAuthErrorCodes.InvalidGrant, description));

    public static OAuthError UnsupportedGrantType(string description) =>
        new(StatusCodes.Status400BadRequest, new(OAuthErrorCodes.UnsupportedGrantType, description));

    /// <summary>The password was right and the account has a second factor: answer with the mfa grant and <paramref name="mfaToken"/>.</summary>
    public static OAuthError MfaRequired(string mfaToken, int expiresIn) => new(
        StatusCodes.Status403Forbidden,
        new(OAuthErrorCodes.MfaRequired, "A second factor is required: use grant_type=" + TokenGrants.Mfa + " with mfa_token and otp or recovery_code.", mfaToken, expiresIn));

    public static OAuthError InvalidScope(string description) => new(StatusCodes.Status400BadRequest, new(OAuthErrorCodes.InvalidScope, description));

    /// <summary>Any failed client authentication: 401, with a Basic challenge when the client used HTTP Basic.</summary>
    public static OAuthError InvalidClient(string description, bool usedBasic) =>
        new(StatusCodes.Status401Unauthorized, new(OAuthErrorCodes.InvalidClient, description), challenge: usedBasic ? "Basic realm=\"funcauth\", charset=\"UTF-8\"" : null);

    /// <summary>A request refused for where it comes from (a cross-site form post, docs/api.md): 403 <c>invalid_request</c>.</summary>
    public static OAuthError Forbidden(string description) => new(StatusCodes.Status403Forbidden, new(OAuthErrorCodes.InvalidRequest, description));

    /// <summary>A limit of README's "Abuse resistance": 429 with Retry-After, in the OAuth shape.</summary>
    public static OAuthError RateLimited(int retryAfterSeconds) =>
        new(StatusCodes.Status429TooManyRequests, new(OAuthErrorCodes.RateLimited, "Too many requests; retry after the time in Retry-After."), retryAfterSeconds);

    /// <summary>Every password-hash slot is busy, or a dependency failed: 503 with Retry-After, in the OAuth shape.</summary>
    public static OAuthError TemporarilyUnavailable(int retryAfterSeconds) =>
        new(StatusCodes.Status503ServiceUnavailable, new(OAuthErrorCodes.TemporarilyUnavailable, "The service or one of its dependencies is busy; retry later."), retryAfterSeconds);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode!.Value;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        if (Challenge is not null)
        {
            response.Headers.WWWAuthenticate = Challenge;
        }

        if (RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return response.WriteAsJsonAsync(Value, OAuthJsonContext.Default.OAuthErrorResponse, contentType: "application/json; charset=utf-8", httpContext.RequestAborted);
    }
}
