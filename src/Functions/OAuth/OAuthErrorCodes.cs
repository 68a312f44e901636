namespace FuncAuth.Functions.OAuth;

/// <summary>The error codes of RFC 6749 §5.2 and RFC 7009 that the OAuth endpoints answer with. Never renamed.</summary>
public static class OAuthErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidScope = "invalid_scope";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string RateLimited = "rate_limited";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
    public const string MfaRequired = "mfa_required";
}
