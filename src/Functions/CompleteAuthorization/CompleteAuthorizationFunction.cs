using System.Diagnostics;
using FuncAuth.Core.OAuth;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class CompleteAuthorizationFunction
{
    public static IEndpointRouteBuilder MapCompleteAuthorization(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/oauth/authorize/complete", HandleAsync).WithName("CompleteAuthorization").RequireAuthorization();
        return app;
    }

    /// <summary>
    /// The signed-in user's answer to an authorization request: where the sign-in page sends the browser next (the
    /// client's redirect URI with a code, or with <c>error=access_denied</c>). Authentication, then two storage calls.
    /// </summary>
    public static async Task<Results<Ok<CompleteAuthorizationResponse>, ProblemHttpResult>> HandleAsync(
        Caller caller, CompleteAuthorizationRequest body, AuthorizationService authorization, CancellationToken cancellationToken)
    {
        if (body.Approve is null)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["approve"] = ["approve (true or false) is required."] });
        }

        return await authorization.CompleteAsync(caller.Session, body.Request, body.Approve.Value, cancellationToken) switch
        {
            CompletionResult.Redirect redirect => TypedResults.Ok(new CompleteAuthorizationResponse(redirect.RedirectTo)),
            CompletionResult.RequestInvalid => Problems.Create(
                ErrorCodes.AuthorizationRequestInvalid, "The authorization request is unknown, has expired, or was already answered: start again from the application."),
            _ => throw new UnreachableException(),
        };
    }
}
