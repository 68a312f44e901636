using System.Diagnostics;
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
        SignupRequest body, AccountService accounts, IOptions<AuthOptions> options, CancellationToken cancellationToken)
    {
        if (options.Value.RequireEmailVerification)
        {
            // New and registered addresses get the same answer; the owner of a registered one gets a "someone tried" email.
            var errors = await accounts.SignupWithVerificationAsync(body.Email, body.Password, body.PasswordConfirmation, body.Name, cancellationToken);
            return errors.Count > 0 ? Problems.Validation(errors) : TypedResults.Accepted((string?)null, new StatusResponse("verification_sent"));
        }

        var result = await accounts.SignupAsync(body.Email, body.Password, body.PasswordConfirmation, body.Name, cancellationToken);
        switch (result)
        {
            case SignupResult.Created created:
                await accounts.SendVerificationAfterSignupAsync(created.Tokens.User.Email, cancellationToken);
                return TokenIssued.Created(created.Tokens);
            case SignupResult.EmailTaken:
                return Problems.Create(ErrorCodes.EmailTaken, "This email address is already registered.");
            case SignupResult.Invalid invalid:
                return Problems.Validation(invalid.Errors);
            default:
                throw new UnreachableException();
        }
    }
}
