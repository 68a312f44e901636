using System.Diagnostics;
using FuncAuth.Core.OAuth;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.OAuth;

/// <summary>The <c>authorization_code</c> grant (RFC 6749 §4.1 with PKCE, RFC 7636): redeems a code of the code flow.</summary>
public sealed class AuthorizationCodeGrant(AuthorizationService authorization) : ITokenGrant
{
    public const string Type = "authorization_code";

    public string GrantType => Type;

    public async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> IssueAsync(HttpRequest request, OAuthFields fields, CancellationToken cancellationToken)
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
}
