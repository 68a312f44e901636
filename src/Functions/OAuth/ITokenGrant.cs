using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.OAuth;

/// <summary>
/// One grant type of <c>POST /oauth/token</c>. Each is the same service call as its <c>/api/auth/*</c> twin (same
/// sessions, rotation, grace, reuse detection and storage calls); only the answer's shape differs.
/// </summary>
public interface ITokenGrant
{
    /// <summary>The <c>grant_type</c> value this grant answers.</summary>
    string GrantType { get; }

    /// <summary>Answers a token request of this grant type; <paramref name="fields"/> is its parsed body.</summary>
    Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> IssueAsync(HttpRequest request, OAuthFields fields, CancellationToken cancellationToken);
}
