using FuncAuth.Core.Mfa;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ResetUserMfaFunction
{
    public static IEndpointRouteBuilder MapResetUserMfa(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/users/{userId}/mfa", HandleAsync).WithName("ResetUserMfa").RequireAuthorization(AccessTokenAuthentication.AdminPolicy)
            .RequireRecentProof(ProofRequirement.RecentWithSecondFactor);
        return app;
    }

    /// <summary>An admin's reset: the user's TOTP, recovery codes (and passkeys) end, every session ends, the owner gets an email.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        string userId, Caller caller, MfaService mfa, CancellationToken cancellationToken) =>
        await mfa.ResetAsync(caller.Session.UserId, userId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("No user has this id.");
}
