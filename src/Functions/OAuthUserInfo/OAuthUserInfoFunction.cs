using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class OAuthUserInfoFunction
{
    public static IEndpointRouteBuilder MapOAuthUserInfo(this IEndpointRouteBuilder app)
    {
        app.MapGet("/oauth/userinfo", HandleAsync).WithName("OAuthUserInfo").RequireAuthorization();
        return app;
    }

    /// <summary>
    /// OpenID Connect UserInfo (Core §5.3): the user claims of the ID token, for an access token of a live session. A
    /// session's token carries no scope, so the answer has the claims of every supported scope. No call beyond
    /// authentication.
    /// </summary>
    public static async Task<Results<JsonHttpResult<UserInfoResponse>, ProblemHttpResult>> HandleAsync(
        Caller caller, AccountService accounts, CancellationToken cancellationToken)
    {
        var user = await accounts.GetCurrentUserAsync(caller.Session, cancellationToken);
        if (user is null)
        {
            return Problems.Create(ErrorCodes.TokenRevoked, "The account behind this token no longer exists.");
        }

        return TypedResults.Json(UserInfoResponse.From(user), OAuthJsonContext.Default.UserInfoResponse);
    }
}
