using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Sessions;
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

    public static Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        ChangePasswordRequest body, HttpContext context, Caller caller, AccountService accounts, LoginGuard logins, CancellationToken cancellationToken) =>
        LifecycleAnswers.PasswordCheckedAsync(context, caller, logins,
            ct => accounts.ChangePasswordAsync(caller.Session, body.CurrentPassword, body.Password, body.PasswordConfirmation, ct), cancellationToken);
}
