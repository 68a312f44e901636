using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.OAuth;

/// <summary>The <c>password</c> grant (RFC 6749 §4.3): the same guarded login as <c>/api/auth/login</c>.</summary>
public sealed class PasswordGrant(SessionService sessions) : ITokenGrant
{
    public const string Type = "password";

    public string GrantType => Type;

    public async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> IssueAsync(HttpRequest request, OAuthFields fields, CancellationToken cancellationToken)
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
        return await sessions.LoginAsync(login, password, ClientAddress.KeyOf(request.HttpContext), cancellationToken) switch
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
}
