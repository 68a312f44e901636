using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class MeFunction
{
    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/me", HandleAsync).WithName("Me").RequireAuthorization().AcceptApiKeys();
        return app;
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> HandleAsync(
        Caller? caller, KeyCaller? keyCaller, AccountService accounts, ApiKeyService apiKeys, CancellationToken cancellationToken)
    {
        var user = caller is not null
            ? await accounts.GetCurrentUserAsync(caller.Session, cancellationToken)
            : await apiKeys.GetOwnerAsync(keyCaller!.Key, cancellationToken);
        return user is null
            ? Problems.Create(ErrorCodes.TokenRevoked, "The account behind this token no longer exists.")
            : TypedResults.Ok(UserResponse.ForMe(user, caller?.Session));
    }
}
