using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.OAuth;

/// <summary>The services the grants use, bound from the container as one endpoint parameter.</summary>
public readonly record struct GrantServices(AccountService Accounts, SessionService Sessions);

/// <summary>
/// The grants of <c>POST /oauth/token</c>. Each is the same service call as its <c>/api/auth/*</c> twin (same sessions,
/// rotation, grace, reuse detection and storage calls); only the answer's shape differs. A new grant is one entry in
/// <see cref="Supported"/> and one case in <see cref="IssueAsync"/>.
/// </summary>
public static class TokenGrants
{
    public const string Password = "password";
    public const string RefreshToken = "refresh_token";

    /// <summary>The grants this server answers, as published in the discovery document.</summary>
    public static readonly IReadOnlyList<string> Supported = [Password, RefreshToken];

    public static Task<Results<TokenIssued, OAuthError>> IssueAsync(OAuthFields fields, GrantServices services, CancellationToken cancellationToken) =>
        fields["grant_type"] switch
        {
            null => Refuse(OAuthError.InvalidRequest("grant_type is required.")),
            Password => PasswordAsync(fields, services.Accounts, cancellationToken),
            RefreshToken => RefreshAsync(fields, services.Sessions, cancellationToken),
            _ => Refuse(OAuthError.UnsupportedGrantType("Supported grant types: " + string.Join(", ", Supported) + ".")),
        };

    private static async Task<Results<TokenIssued, OAuthError>> PasswordAsync(OAuthFields fields, AccountService accounts, CancellationToken cancellationToken)
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

        var result = await accounts.LoginAsync(login, password, cancellationToken);
        return result.Status switch
        {
            LoginStatus.Succeeded => TokenIssued.Ok(result.Tokens!),
            // As at /api/auth/login: the same answer whether the address is unknown or the password wrong.
            _ => OAuthError.InvalidGrant("The username or password is incorrect."),
        };
    }

    private static async Task<Results<TokenIssued, OAuthError>> RefreshAsync(OAuthFields fields, SessionService sessions, CancellationToken cancellationToken)
    {
        var refreshToken = fields["refresh_token"];
        if (refreshToken is null)
        {
            return OAuthError.InvalidRequest("The refresh_token grant needs refresh_token.");
        }

        var result = await sessions.RefreshAsync(refreshToken, cancellationToken);
        return result.Status switch
        {
            RefreshStatus.Issued => TokenIssued.Ok(result.Tokens!),
            RefreshStatus.Expired => OAuthError.InvalidGrant("The refresh token has expired; sign in again."),
            RefreshStatus.Reused => OAuthError.InvalidGrant("The refresh token was already used; the session has been ended."),
            _ => OAuthError.InvalidGrant("The refresh token is not valid."),
        };
    }

    private static Task<Results<TokenIssued, OAuthError>> Refuse(OAuthError error) => Task.FromResult<Results<TokenIssued, OAuthError>>(error);
}
