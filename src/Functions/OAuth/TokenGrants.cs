using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.OAuth;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.OAuth;

/// <summary>The services the grants use.</summary>
public readonly record struct GrantServices(
    LoginGuard Logins, SessionService Sessions, ApiKeyService ApiKeys, FuncAuth.Core.Mfa.MfaService Mfa, AuthorizationService Authorization, OAuthOptions Settings);

/// <summary>
/// The grants of <c>POST /oauth/token</c>. Each is the same service call as its <c>/api/auth/*</c> twin (same sessions,
/// rotation, grace, reuse detection and storage calls); only the answer's shape differs. A new grant is one entry in
/// <see cref="Supported"/> and one case in <see cref="IssueAsync"/>.
/// </summary>
public static class TokenGrants
{
    public const string Password = "password";
    public const string RefreshToken = "refresh_token";
    /// <summary>The second step of a password grant answered <c>mfa_required</c> (Auth0's <c>mfa-otp</c>, under FuncAuth's name).</summary>
    public const string Mfa = "urn:funcauth:grant-type:mfa";

    public const string AuthorizationCode = "authorization_code";

    /// <summary>Every grant this server knows.</summary>
    public static readonly IReadOnlyList<string> Supported = [AuthorizationCode, Password, RefreshToken, ClientCredentialsGrant.GrantType, Mfa];

    /// <summary>The grants this server answers under these settings, as published in the discovery document.</summary>
    public static IReadOnlyList<string> SupportedBy(OAuthOptions settings) =>
        settings.PasswordGrantEnabled ? Supported : Supported.Where(g => g != Password).ToArray();

    public static Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> IssueAsync(HttpRequest request, OAuthFields fields, GrantServices services, CancellationToken cancellationToken) =>
        fields["grant_type"] switch
        {
            null => Refuse(OAuthError.InvalidRequest("grant_type is required.")),
            // RFC 9700 §2.4: the password grant MUST NOT be used; OAuth__PasswordGrant=disabled turns it off.
            Password when services.Settings.PasswordGrantEnabled => PasswordAsync(fields, services.Logins, ClientAddress.KeyOf(request.HttpContext), cancellationToken),
            AuthorizationCode => AuthorizationCodeAsync(fields, services.Authorization, cancellationToken),
            ClientCredentialsGrant.GrantType => ClientCredentialsAsync(request, fields, services.ApiKeys, cancellationToken),
            RefreshToken => RefreshAsync(fields, services.Sessions, cancellationToken),
            Mfa => MfaAsync(request.HttpContext, fields, services, cancellationToken),
            _ => Refuse(OAuthError.UnsupportedGrantType("Supported grant types: " + string.Join(", ", SupportedBy(services.Settings)) + ".")),
        };

    private static async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> PasswordAsync(OAuthFields fields, LoginGuard logins, string? clientAddress, CancellationToken cancellationToken)
    {
        var username = fields["username"];
        var email = fields["email"];
        if (username is not null && email is not null && username != email)
        {
            return OAuthError.InvalidRequest("Send username or email, not both.");
        }

        var login = username ?? email;
        var password = fields["password"];
        if (login is null || password is null)
        {
            return OAuthError.InvalidRequest("The password grant needs username (or email) and password.");
        }

        // The same guarded login as /api/auth/login: same failed-login limits, same hash bulkhead.
        return await logins.LoginAsync(login, password, clientAddress, cancellationToken) switch
        {
            GuardedLoginResult.RateLimited limited => OAuthError.RateLimited(limited.RetryAfterSeconds),
            GuardedLoginResult.Busy busy => OAuthError.TemporarilyUnavailable(busy.RetryAfterSeconds),
            GuardedLoginResult.Checked { Login: LoginResult.Succeeded succeeded } => TokenIssued.Ok(succeeded.Tokens),
            GuardedLoginResult.Checked { Login: LoginResult.MfaRequired required } => OAuthError.MfaRequired(required.MfaToken, required.ExpiresIn),
            // Told apart only after the right password, as at /api/auth/login (403 email_not_verified / account_disabled).
            GuardedLoginResult.Checked { Login: LoginResult.EmailNotVerified } =>
                OAuthError.InvalidGrant("The email address is not verified yet: follow the link in the email we sent."),
            GuardedLoginResult.Checked { Login: LoginResult.AccountDisabled } => OAuthError.InvalidGrant("This account is disabled."),
            // As at /api/auth/login: the same answer whether the address is unknown or the password wrong.
            GuardedLoginResult.Checked { Login: LoginResult.InvalidCredentials or LoginResult.Invalid } =>
                OAuthError.InvalidGrant("The username or password is incorrect."),
            _ => throw new UnreachableException(),
        };
    }

    private static async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> MfaAsync(
        HttpContext context, OAuthFields fields, GrantServices services, CancellationToken cancellationToken)
    {
        var mfaToken = fields["mfa_token"];
        if (mfaToken is null || MfaAnswers.CodeOf(fields["otp"], fields["recovery_code"]) is not { } code)
        {
            return OAuthError.InvalidRequest("The mfa grant needs mfa_token and one of otp or recovery_code.");
        }

        return await VerifyMfaFunction.VerifyAsync(mfaToken, code, context, services.Mfa, services.Logins, cancellationToken) switch
        {
            FuncAuth.Core.Mfa.MfaVerifyResult.Succeeded succeeded => TokenIssued.Ok(succeeded.Tokens),
            FuncAuth.Core.Mfa.MfaVerifyResult.TokenInvalid => OAuthError.InvalidGrant("The mfa_token has expired or ended: sign in again."),
            FuncAuth.Core.Mfa.MfaVerifyResult.CodeInvalid => OAuthError.InvalidGrant("The code is not valid."),
            FuncAuth.Core.Mfa.MfaVerifyResult.RateLimited limited => OAuthError.RateLimited(limited.RetryAfterSeconds),
            _ => throw new UnreachableException(),
        };
    }

    private static async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> AuthorizationCodeAsync(OAuthFields fields, AuthorizationService authorization, CancellationToken cancellationToken)
    {
        if (fields["code"] is not { } code || fields["redirect_uri"] is not { } redirectUri || fields["client_id"] is not { } clientId || fields["code_verifier"] is not { } verifier)
        {
            return OAuthError.InvalidRequest("The authorization_code grant needs code, redirect_uri, client_id and code_verifier.");
        }

        return await authorization.RedeemAsync(clientId, code, redirectUri, verifier, cancellationToken) switch
        {
            RedemptionResult.Issued issued => TokenIssued.Ok(issued.Tokens, issued.IdToken, issued.Scope),
            RedemptionResult.UnknownClient => OAuthError.InvalidClient("No client is registered with this client_id.", usedBasic: false),
            RedemptionResult.Refused refused => OAuthError.InvalidGrant(refused.Description),
            _ => throw new UnreachableException(),
        };
    }

    private static async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> RefreshAsync(OAuthFields fields, SessionService sessions, CancellationToken cancellationToken)
    {
        var refreshToken = fields["refresh_token"];
        if (refreshToken is null)
        {
            return OAuthError.InvalidRequest("The refresh_token grant needs refresh_token.");
        }

        return await sessions.RefreshAsync(refreshToken, cancellationToken) switch
        {
            RefreshResult.Issued issued => TokenIssued.Ok(issued.Tokens),
            RefreshResult.Expired => OAuthError.InvalidGrant("The refresh token has expired; sign in again."),
            RefreshResult.Reused => OAuthError.InvalidGrant("The refresh token was already used; the session has been ended."),
            RefreshResult.Invalid => OAuthError.InvalidGrant("The refresh token is not valid."),
            _ => throw new UnreachableException(),
        };
    }

    private static async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> ClientCredentialsAsync(
        HttpRequest request, OAuthFields fields, ApiKeyService apiKeys, CancellationToken cancellationToken) =>
        await ClientCredentialsGrant.HandleAsync(request, name => fields[name], apiKeys, cancellationToken) switch
        {
            { Result: ClientTokenIssued issued } => issued,
            { Result: OAuthError error } => error,
            _ => throw new UnreachableException(),
        };

    private static Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> Refuse(OAuthError error) => Task.FromResult<Results<TokenIssued, ClientTokenIssued, OAuthError>>(error);
}
