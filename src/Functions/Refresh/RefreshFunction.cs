using System.Diagnostics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class RefreshFunction
{
    public static IEndpointRouteBuilder MapRefresh(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/refresh", HandleAsync).WithName("Refresh")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress);
        return app;
    }

    public static async Task<Results<TokenIssued, ProblemHttpResult>> HandleAsync(RefreshRequest body, SessionService sessions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(body.RefreshToken))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["refresh_token"] = ["The refresh token is required."] });
        }

        var result = await sessions.RefreshAsync(body.RefreshToken, cancellationToken);
        return result switch
        {
            RefreshResult.Issued issued => TokenIssued.Ok(issued.Tokens),
            RefreshResult.Expired => Problems.Create(ErrorCodes.RefreshTokenExpired, "The refresh token has expired; sign in again."),
            RefreshResult.Reused => Problems.Create(ErrorCodes.RefreshTokenReused, "The refresh token was already used; the session has been ended."),
            RefreshResult.Invalid => Problems.Create(ErrorCodes.RefreshTokenInvalid, "The refresh token is not valid."),
            _ => throw new UnreachableException(),
        };
    }
}
