using FuncAuth.Functions.Http;
using FuncAuth.Functions.OAuth;
using static FuncAuth.Functions.Http.ErrorCodes;

namespace FuncAuth.Functions.ApiReference;

/// <summary>
/// The error codes each endpoint answers by itself, keyed by endpoint name. The codes every endpoint of a kind shares are
/// added from its metadata by <see cref="OperationOutcomes"/>: the access-token codes where it needs a token, the body
/// codes where it reads JSON, <c>service_unavailable</c> everywhere. A named endpoint missing here fails the document.
/// </summary>
internal static class EndpointErrors
{
    public static readonly IReadOnlyDictionary<string, ApiError[]> ByEndpoint = new Dictionary<string, ApiError[]>(StringComparer.Ordinal)
    {
        ["Signup"] = [ValidationFailed, EmailTaken, RateLimited],
        ["Login"] = [ValidationFailed, InvalidCredentials, EmailNotVerified, AccountDisabled, MfaRequired, RateLimited],
        ["Refresh"] = [ValidationFailed, RefreshTokenInvalid, RefreshTokenExpired, RefreshTokenReused, RateLimited],
        ["Logout"] = [ValidationFailed, ReauthenticationRequired],
        ["Me"] = [],
        ["UpdateMe"] = [ValidationFailed],
        ["ListSessions"] = [],
        ["DeleteSession"] = [NotFound, ReauthenticationRequired],
        ["DeleteAccount"] = [ValidationFailed, PasswordIncorrect, RateLimited, ReauthenticationRequired],
        ["VerifyEmail"] = [VerificationTokenInvalid, VerificationTokenExpired],
        ["ResendVerification"] = [ValidationFailed, RateLimited],
        ["ForgotPassword"] = [ValidationFailed, RateLimited],
        ["ResetPassword"] = [ValidationFailed, ResetTokenInvalid, ResetTokenExpired, RateLimited],
        ["ChangePassword"] = [ValidationFailed, PasswordIncorrect, RateLimited],
        ["CreateApiKey"] = [ValidationFailed, TooManyApiKeys, ReauthenticationRequired],
        ["ListApiKeys"] = [],
        ["RevokeApiKey"] = [NotFound],
        ["GetUser"] = [NotFound],
        ["FindUsers"] = [ValidationFailed],
        ["ForceLogout"] = [NotFound, ReauthenticationRequired],
        ["SetRoles"] = [ValidationFailed, NotFound, LastAdmin, ReauthenticationRequired],
        ["DisableUser"] = [NotFound, CannotDisableSelf, LastAdmin, ReauthenticationRequired],
        ["EnableUser"] = [NotFound, ReauthenticationRequired],
        ["ListUserApiKeys"] = [NotFound],
        ["RevokeUserApiKey"] = [NotFound, ReauthenticationRequired],
        ["Reauthenticate"] = [ValidationFailed, InvalidCredentials, MfaCodeInvalid, PasskeyInvalid, RateLimited],
        ["GetMfa"] = [],
        ["EnrollTotp"] = [MfaAlreadyEnabled, ReauthenticationRequired],
        ["ConfirmTotp"] = [MfaCodeInvalidAtConfirm, ReauthenticationRequired],
        ["DisableTotp"] = [NotFound, ReauthenticationRequired],
        ["RegenerateRecoveryCodes"] = [NotFound, ReauthenticationRequired],
        ["VerifyMfa"] = [ValidationFailed, MfaTokenInvalid, MfaCodeInvalid, RateLimited],
        ["ResetUserMfa"] = [NotFound, ReauthenticationRequired],
        ["ListAuditEvents"] = [ValidationFailed],
        ["ListUserAuditEvents"] = [ValidationFailed, NotFound],
        ["Health"] = [],
        ["Jwks"] = [],
        ["OpenIdConfiguration"] = [],
        ["AuthorizationServerMetadata"] = [],
        ["OpenApi"] = [],
        ["PasskeyRegisterOptions"] = [NotFound, ReauthenticationRequired],
        ["PasskeyRegister"] = [ValidationFailed, PasskeyInvalid, TooManyPasskeys, NotFound, ReauthenticationRequired],
        ["ListPasskeys"] = [],
        ["DeletePasskey"] = [NotFound, ReauthenticationRequired],
        ["PasskeyOptions"] = [NotFound],
        ["PasskeyLoginOptions"] = [NotFound, RateLimited],
        ["PasskeyLogin"] = [PasskeyInvalid, AccountDisabled, EmailNotVerified, NotFound, RateLimited],
        // The authorization endpoint's own errors are a 400 HTML page or a redirect to the client (described with it).
        ["OAuthAuthorize"] = [],
        ["GetAuthorizationRequest"] = [AuthorizationRequestInvalid],
        ["CompleteAuthorization"] = [ValidationFailed, AuthorizationRequestInvalid],
        ["OAuthUserInfo"] = [],
    };

    /// <summary>The OAuth endpoints answer errors the RFC 6749 §5.2 way: (status, error codes).</summary>
    public static readonly IReadOnlyDictionary<string, (int Status, string[] Codes)[]> OAuthByEndpoint = new Dictionary<string, (int, string[])[]>(StringComparer.Ordinal)
    {
        ["OAuthToken"] =
        [
            (StatusCodes.Status400BadRequest, [OAuthErrorCodes.InvalidRequest, OAuthErrorCodes.UnsupportedGrantType, OAuthErrorCodes.InvalidGrant, OAuthErrorCodes.InvalidScope]),
            (StatusCodes.Status401Unauthorized, [OAuthErrorCodes.InvalidClient]),
            // A cross-site form post (CrossSiteRequests).
            (StatusCodes.Status403Forbidden, [OAuthErrorCodes.InvalidRequest, OAuthErrorCodes.MfaRequired]),
            (StatusCodes.Status429TooManyRequests, [OAuthErrorCodes.RateLimited]),
            (StatusCodes.Status503ServiceUnavailable, [OAuthErrorCodes.TemporarilyUnavailable]),
        ],
        ["OAuthRevoke"] = [(StatusCodes.Status400BadRequest, [OAuthErrorCodes.InvalidRequest]), (StatusCodes.Status403Forbidden, [OAuthErrorCodes.InvalidRequest])],
    };
}
