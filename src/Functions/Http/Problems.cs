using Microsoft.AspNetCore.Http.HttpResults;

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
    public const string EmailNotVerified = "email_not_verified";
    public const string AccountDisabled = "account_disabled";
    public const string PasswordIncorrect = "password_incorrect";
    public const string VerificationTokenInvalid = "verification_token_invalid";
    public const string VerificationTokenExpired = "verification_token_expired";
    public const string ResetTokenInvalid = "reset_token_invalid";
    public const string ResetTokenExpired = "reset_token_expired";
    public const string LastAdmin = "last_admin";
    public const string CannotDisableSelf = "cannot_disable_self";
}

/// <summary>The one mapping from an error to RFC 9457 Problem Details with its <c>code</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);
    }

    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string[]> errors) =>
        Create(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ValidationFailed, "One or more fields are invalid.", errors);

    public static ProblemHttpResult NotFound(string detail = "No such resource.") =>
        Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, detail);

    public static ProblemHttpResult Unauthorized(string code, string detail) =>
        Create(StatusCodes.Status401Unauthorized, code, detail);

    public static ProblemHttpResult PayloadTooLarge() =>
        Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The body is larger than {RequestLimits.MaxBodyBytes / 1024} KiB.");
}
