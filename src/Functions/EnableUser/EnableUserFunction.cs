using FuncAuth.Core.Accounts.Admin;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class EnableUserFunction
{
    public static IEndpointRouteBuilder MapEnableUser(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/users/{userId}/enable", HandleAsync).WithName("EnableUser").RequireAuthorization(AccessTokenAuthentication.AdminPolicy)
            .RequireRecentProof(FuncAuth.Core.Sessions.ProofRequirement.RecentWithSecondFactor).NoStore();
        return app;
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> HandleAsync(
        string userId, Caller caller, UserAdministration admin, CancellationToken cancellationToken) =>
        AdminChangeAnswers.From(await admin.EnableAsync(caller.Session.UserId, userId, cancellationToken));
}
