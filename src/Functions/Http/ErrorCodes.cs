namespace FuncAuth.Functions.Http;

/// <summary>The stable error codes of the API. Never renamed: clients branch on them.</summary>
public static class ErrorCodes
{
    public const string MalformedJson = "malformed_json";
    public const string ValidationFailed = "validation_failed";
    public const string EmailTaken = "email_taken";
    public const string InvalidCredentials = "invalid_credentials";
    public const string TokenMissing = "token_missing";
    public const string TokenInvalid = "token_invalid";
    public const string TokenExpired = "token_expired";
    public const string TokenRevoked = "token_revoked";
    public const string RefreshTokenInvalid = "refresh_token_invalid";
    public const string RefreshTokenExpired = "refresh_token_expired";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string ServiceUnavailable = "service_unavailable";
}
