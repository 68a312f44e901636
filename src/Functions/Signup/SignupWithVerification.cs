using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Options;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions;

/// <summary>The sign-up variants that involve email: verification required (202 for every address), and the email after an ordinary one.</summary>
internal static class SignupWithVerification
{
    public static async Task<Results<TokenIssued, Accepted<StatusResponse>, ProblemHttpResult>> HandleAsync(
        SignupRequest body, AccountService accounts, AccountLifecycle lifecycle, IOptions<AuthOptions> options, CancellationToken cancellationToken)
    {
        if (options.Value.RequireEmailVerification)
        {
            // New and registered addresses get the same answer; the owner of a registered one gets a "someone tried" email.
            var errors = await lifecycle.SignupWithVerificationAsync(body.Email, body.Password, body.PasswordConfirmation, body.Name, cancellationToken);
            return errors.Count > 0 ? Problems.Validation(errors) : TypedResults.Accepted((string?)null, new StatusResponse("verification_sent"));
        }

        var result = await accounts.SignupAsync(body.Email, body.Password, body.PasswordConfirmation, body.Name, cancellationToken);
        if (result.Status == SignupStatus.Created)
        {
            await lifecycle.SendVerificationAfterSignupAsync(result.Tokens!.User.Email, cancellationToken);
        }

        return result.Status switch
        {
            SignupStatus.Created => TokenIssued.Created(result.Tokens!),
            SignupStatus.EmailTaken => Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.EmailTaken, "This email address is already registered."),
            _ => Problems.Validation(result.Errors!),
        };
    }
}
