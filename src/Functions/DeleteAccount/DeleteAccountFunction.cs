using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace FuncAuth.Functions;

public static class DeleteAccountFunction
{
    public static IEndpointRouteBuilder MapDeleteAccount(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/auth/account", HandleAsync).WithName("DeleteAccount").RequireAuthorization()
            .RequireHashSlot();
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        [FromBody] PasswordRequest body, Caller caller, AccountLifecycle lifecycle, CancellationToken cancellationToken) =>
        LifecycleAnswers.PasswordChecked(await lifecycle.DeleteAccountAsync(caller.Session, body.Password, cancellationToken));
}
