using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Email;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

public static class ForgotPasswordFunction
{
    public static IEndpointRouteBuilder MapForgotPassword(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/password/forgot", HandleAsync).WithName("ForgotPassword")
            .RequireAddressLimit(RateLimitName.EmailRequestsPerAddress);
        return app;
    }

    // The same answer whether or not the address is registered: don't reveal which addresses exist.
    public static async Task<Results<Accepted<StatusResponse>, ProblemHttpResult>> HandleAsync(EmailRequest body, AccountService accounts, CancellationToken cancellationToken)
    {
        var errors = await accounts.RequestEmailAsync(EmailKinds.ResetPassword, body.Email, cancellationToken);
        return errors.Count > 0 ? Problems.Validation(errors) : TypedResults.Accepted((string?)null, new StatusResponse("accepted"));
    }
}
