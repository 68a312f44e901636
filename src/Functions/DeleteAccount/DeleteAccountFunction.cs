using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace FuncAuth.Functions;

public static class DeleteAccountFunction
{
    public static IEndpointRouteBuilder MapDeleteAccount(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/auth/account", HandleAsync).WithName("DeleteAccount").RequireAuthorization()
            .RequireRecentProof(ProofRequirement.RecentWithSecondFactor)
            .RequireHashSlot();
        return app;
    }

    public static Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        [FromBody] PasswordRequest body, HttpContext context, Caller caller, AccountService accounts, LoginGuard logins, CancellationToken cancellationToken) =>
        LifecycleAnswers.PasswordCheckedAsync(context, caller, logins, ct => accounts.DeleteAccountAsync(caller.Session, body.Password, ct), cancellationToken);
}
