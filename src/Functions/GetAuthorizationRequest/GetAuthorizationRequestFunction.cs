using FuncAuth.Core.OAuth;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class GetAuthorizationRequestFunction
{
    public static IEndpointRouteBuilder MapGetAuthorizationRequest(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/oauth/authorize/{request}", HandleAsync).WithName("GetAuthorizationRequest");
        return app;
    }

    /// <summary>
    /// What the sign-in page shows about a pending request before the user signs in: the client's registered name,
    /// whether it is first party (no consent screen), the scopes. The id is the secret; one storage call.
    /// </summary>
    public static async Task<Results<Ok<AuthorizationRequestResponse>, ProblemHttpResult>> HandleAsync(
        string request, AuthorizationService authorization, CancellationToken cancellationToken) =>
        await authorization.FindPendingAsync(request, cancellationToken) is { } pending
            ? TypedResults.Ok(new AuthorizationRequestResponse(pending.ClientId, pending.ClientName, pending.FirstParty, pending.Scopes))
            : Problems.Create(ErrorCodes.AuthorizationRequestInvalid, "The authorization request is unknown, has expired, or was already answered: start again from the application.");
}
