using System.Text.Json.Nodes;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Passkeys;
using FuncAuth.Functions.Http;
using FuncAuth.Functions.Passkeys;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

/// <summary>Passkeys of the signed-in user: creation options, registration, list, deletion, and step-up options.</summary>
public static class PasskeyFunctions
{
    public static IEndpointRouteBuilder MapPasskeys(this IEndpointRouteBuilder app)
    {
        // Adding a passkey adds a way into the account: only a session that proved a credential lately may; removing one
        // needs the second factor too where the account has one.
        app.MapPost("/api/auth/passkeys/register/options", RegistrationOptionsAsync).WithName("PasskeyRegisterOptions").RequireAuthorization()
            .RequireRecentProof();
        app.MapPost("/api/auth/passkeys/register", RegisterAsync).WithName("PasskeyRegister").RequireAuthorization()
            .RequireRecentProof();
        app.MapGet("/api/auth/passkeys", ListAsync).WithName("ListPasskeys").RequireAuthorization();
        app.MapDelete("/api/auth/passkeys/{id}", DeleteAsync).WithName("DeletePasskey").RequireAuthorization()
            .RequireRecentProof(ProofRequirement.RecentWithSecondFactor);
        app.MapPost("/api/auth/passkeys/options", ReauthenticationOptionsAsync).WithName("PasskeyOptions").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RegistrationOptionsAsync(
        Caller caller, PasskeyService passkeys, AccountService accounts, CancellationToken cancellationToken)
    {
        if (!passkeys.IsEnabled)
        {
            return NotConfigured();
        }

        var account = await accounts.GetCurrentUserAsync(caller.Session, cancellationToken);
        return account is null
            ? Problems.Create(ErrorCodes.TokenRevoked, "The account of this session no longer exists.")
            : TypedResults.Ok(await passkeys.RegistrationOptionsAsync(caller.Session, account, cancellationToken));
    }

    public static async Task<Results<Created<PasskeyResponse>, ProblemHttpResult>> RegisterAsync(
        PasskeyRegisterRequest body, Caller caller, PasskeyService passkeys, AccountService accounts, CancellationToken cancellationToken)
    {
        if (!passkeys.IsEnabled)
        {
            return NotConfigured();
        }

        var account = await accounts.GetCurrentUserAsync(caller.Session, cancellationToken);
        if (account is null)
        {
            return Problems.Create(ErrorCodes.TokenRevoked, "The account of this session no longer exists.");
        }

        var result = await passkeys.RegisterAsync(caller.Session, account, body.Credential, body.Name, cancellationToken);
        return result.Status switch
        {
            RegisterPasskeyStatus.Created => TypedResults.Created((string?)null, PasskeyResponse.From(result.Passkey!)),
            RegisterPasskeyStatus.TooMany => Problems.Create(
                ErrorCodes.TooManyPasskeys, $"At most {PasskeyService.MaxPerUser} passkeys per user; delete one first."),
            RegisterPasskeyStatus.NameInvalid => Problems.Validation(result.Errors!),
            _ => Invalid(),
        };
    }

    public static async Task<Ok<PasskeyResponse[]>> ListAsync(Caller caller, PasskeyService passkeys, CancellationToken cancellationToken) =>
        TypedResults.Ok((await passkeys.ListAsync(caller.Session.UserId, cancellationToken)).Select(PasskeyResponse.From).ToArray());

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, Caller caller, PasskeyService passkeys, CancellationToken cancellationToken) =>
        await passkeys.DeleteAsync(caller.Session.UserId, id, cancellationToken, caller.Session.SessionId)
            ? TypedResults.NoContent()
            : Problems.NotFound("You have no passkey with this id.");

    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ReauthenticationOptionsAsync(
        Caller caller, PasskeyService passkeys, CancellationToken cancellationToken) =>
        passkeys.IsEnabled ? TypedResults.Ok(await passkeys.ReauthenticationOptionsAsync(caller.Session, cancellationToken)) : NotConfigured();

    /// <summary>The one answer for every passkey that fails a check: nothing says which check.</summary>
    internal static ProblemHttpResult Invalid() =>
        Problems.Create(ErrorCodes.PasskeyInvalid, "The passkey could not be verified. Try again, or sign in another way.");

    internal static ProblemHttpResult NotConfigured() =>
        Problems.NotFound("Passkeys are off: set Auth__WebAuthn__RpId and Auth__WebAuthn__Origins (or Cors__AllowedOrigins).");
}
