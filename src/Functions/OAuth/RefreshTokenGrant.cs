using System.Diagnostics;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.OAuth;

/// <summary>The <c>refresh_token</c> grant (RFC 6749 §6): the same rotation as <c>/api/auth/refresh</c>.</summary>
public sealed class RefreshTokenGrant(SessionService sessions) : ITokenGrant
{
    public const string Type = "refresh_token";

    public string GrantType => Type;

    public async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> IssueAsync(HttpRequest request, OAuthFields fields, CancellationToken cancellationToken)
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
}
