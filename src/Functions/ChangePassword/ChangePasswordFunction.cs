using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ChangePasswordFunction
{
    public static IEndpointRouteBuilder MapChangePassword(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/password/change", HandleAsync).WithName("ChangePassword").RequireAuthorization()
            .RequireHashSlot();
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        ChangePasswordRequest body, Caller caller, AccountLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var result = await lifecycle.ChangePasswordAsync(caller.Session, body.CurrentPassword, body.Password, body.PasswordConfirmation, cancellationToken);
        return LifecycleAnswers.PasswordChecked(result);
    }
}
