using System.Text.Json.Nodes;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Passkeys;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.Passkeys;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

/// <summary>Sign-in with a passkey (no password): request options with a challenge id, then the assertion.</summary>
public static class PasskeyLoginFunctions
{
    public static IEndpointRouteBuilder MapPasskeyLogin(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/passkeys/login/options", OptionsAsync).WithName("PasskeyLoginOptions")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress);
        app.MapPost("/api/auth/passkeys/login", SignInAsync).WithName("PasskeyLogin")
            .RequireAddressLimit(RateLimitName.TokenRequestsPerAddress);
        return app;
    }

    public static async Task<Results<TokenIssued, ProblemHttpResult>> SignInAsync(
        PasskeyLoginRequest body, PasskeyService passkeys, CancellationToken cancellationToken)
    {
        if (!passkeys.IsEnabled)
        {
            return PasskeyFunctions.NotConfigured();
        }

        return await passkeys.SignInAsync(body.ChallengeId, body.Credential, cancellationToken) switch
        {
            PasskeySignInResult.Succeeded succeeded => TokenIssued.Ok(succeeded.Tokens),
            PasskeySignInResult.AccountDisabled => Problems.Create(ErrorCodes.AccountDisabled, "This account is disabled."),
            PasskeySignInResult.EmailNotVerified => Problems.Create(ErrorCodes.EmailNotVerified, "Confirm your email address first: follow the link in the email we sent."),
            _ => PasskeyFunctions.Invalid(),
        };
    }

    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> OptionsAsync(PasskeyService passkeys, CancellationToken cancellationToken) =>
        passkeys.IsEnabled ? TypedResults.Ok(await passkeys.SignInOptionsAsync(cancellationToken)) : PasskeyFunctions.NotConfigured();
}
