namespace FuncAuth.Functions.Http;

/// <summary>
/// The error registry: every error code of the API with its status, as in the error table of docs/api.md (a test
/// holds the two equal). Never renamed: clients branch on them. <see cref="Problems"/> builds a problem only from these.
/// </summary>
public static class ErrorCodes
{
    public static readonly ApiError MalformedJson = new("malformed_json", StatusCodes.Status400BadRequest);
    public static readonly ApiError ValidationFailed = new("validation_failed", StatusCodes.Status422UnprocessableEntity);
    public static readonly ApiError EmailTaken = new("email_taken", StatusCodes.Status409Conflict);
    public static readonly ApiError InvalidCredentials = new("invalid_credentials", StatusCodes.Status401Unauthorized);
    public static readonly ApiError TokenMissing = new("token_missing", StatusCodes.Status401Unauthorized);
    public static readonly ApiError TokenInvalid = new("token_invalid", StatusCodes.Status401Unauthorized);
    public static readonly ApiError TokenExpired = new("token_expired", StatusCodes.Status401Unauthorized);
    public static readonly ApiError TokenRevoked = new("token_revoked", StatusCodes.Status401Unauthorized);
    public static readonly ApiError RefreshTokenInvalid = new("refresh_token_invalid", StatusCodes.Status401Unauthorized);
    public static readonly ApiError RefreshTokenExpired = new("refresh_token_expired", StatusCodes.Status401Unauthorized);
    public static readonly ApiError RefreshTokenReused = new("refresh_token_reused", StatusCodes.Status401Unauthorized);
    public static readonly ApiError Forbidden = new("forbidden", StatusCodes.Status403Forbidden);
    public static readonly ApiError NotFound = new("not_found", StatusCodes.Status404NotFound);
    public static readonly ApiError MethodNotAllowed = new("method_not_allowed", StatusCodes.Status405MethodNotAllowed);
    public static readonly ApiError PayloadTooLarge = new("payload_too_large", StatusCodes.Status413PayloadTooLarge);
    public static readonly ApiError UnsupportedMediaType = new("unsupported_media_type", StatusCodes.Status415UnsupportedMediaType);
    public static readonly ApiError ServiceUnavailable = new("service_unavailable", StatusCodes.Status503ServiceUnavailable);
    public static readonly ApiError RateLimited = new("rate_limited", StatusCodes.Status429TooManyRequests);
    public static readonly ApiError InvalidApiKey = new("invalid_api_key", StatusCodes.Status401Unauthorized);
    public static readonly ApiError TooManyApiKeys = new("too_many_api_keys", StatusCodes.Status409Conflict);
    public static readonly ApiError EmailNotVerified = new("email_not_verified", StatusCodes.Status403Forbidden);
    public static readonly ApiError AccountDisabled = new("account_disabled", StatusCodes.Status403Forbidden);
    public static readonly ApiError PasswordIncorrect = new("password_incorrect", StatusCodes.Status403Forbidden);
    public static readonly ApiError VerificationTokenInvalid = new("verification_token_invalid", StatusCodes.Status400BadRequest);
    public static readonly ApiError VerificationTokenExpired = new("verification_token_expired", StatusCodes.Status400BadRequest);
    public static readonly ApiError ResetTokenInvalid = new("reset_token_invalid", StatusCodes.Status400BadRequest);
    public static readonly ApiError ResetTokenExpired = new("reset_token_expired", StatusCodes.Status400BadRequest);
    public static readonly ApiError LastAdmin = new("last_admin", StatusCodes.Status409Conflict);
    public static readonly ApiError CannotDisableSelf = new("cannot_disable_self", StatusCodes.Status409Conflict);
    public static readonly ApiError PasskeyInvalid = new("passkey_invalid", StatusCodes.Status401Unauthorized);
    public static readonly ApiError TooManyPasskeys = new("too_many_passkeys", StatusCodes.Status409Conflict);
    public static readonly ApiError AuthorizationRequestInvalid = new("authorization_request_invalid", StatusCodes.Status400BadRequest);
    public static readonly ApiError ReauthenticationRequired = new("reauthentication_required", StatusCodes.Status403Forbidden);
    public static readonly ApiError MfaRequired = new("mfa_required", StatusCodes.Status403Forbidden);
    /// <summary>401 at verify and re-authentication; the enrolment's confirm answers it as 400 (<see cref="MfaCodeInvalidAtConfirm"/>).</summary>
    public static readonly ApiError MfaCodeInvalid = new("mfa_code_invalid", StatusCodes.Status401Unauthorized);
    public static readonly ApiError MfaTokenInvalid = new("mfa_token_invalid", StatusCodes.Status401Unauthorized);
    public static readonly ApiError MfaAlreadyEnabled = new("mfa_already_enabled", StatusCodes.Status409Conflict);

    /// <summary><c>mfa_code_invalid</c> at <c>POST /api/auth/mfa/totp/confirm</c>: a bad request, not a failed sign-in.</summary>
    public static ApiError MfaCodeInvalidAtConfirm => MfaCodeInvalid with { Status = StatusCodes.Status400BadRequest };
}
