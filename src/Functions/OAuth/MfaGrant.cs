using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Mfa;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.OAuth;

/// <summary>The second step of a password grant answered <c>mfa_required</c>: the same check as <c>/api/auth/mfa/verify</c>.</summary>
public sealed class MfaGrant(MfaService mfa, LoginGuard logins) : ITokenGrant
{
    /// <summary>Auth0's <c>mfa-otp</c>, under FuncAuth's name.</summary>
    public const string Type = "urn:funcauth:grant-type:mfa";

    public string GrantType => Type;

    public async Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> IssueAsync(HttpRequest request, OAuthFields fields, CancellationToken cancellationToken)
    {
        var mfaToken = fields["mfa_token"];
        if (mfaToken is null || MfaAnswers.CodeOf(fields["otp"], fields["recovery_code"]) is not { } code)
        {
            return OAuthError.InvalidRequest("The mfa grant needs mfa_token and one of otp or recovery_code.");
        }

        return await VerifyMfaFunction.VerifyAsync(mfaToken, code, request.HttpContext, mfa, logins, cancellationToken) switch
        {
            MfaVerifyResult.Succeeded succeeded => TokenIssued.Ok(succeeded.Tokens),
            MfaVerifyResult.TokenInvalid => OAuthError.InvalidGrant("The mfa_token has expired or ended: sign in again."),
            MfaVerifyResult.CodeInvalid => OAuthError.InvalidGrant("The code is not valid."),
            MfaVerifyResult.RateLimited limited => OAuthError.RateLimited(limited.RetryAfterSeconds),
            _ => throw new UnreachableException(),
        };
    }
}
