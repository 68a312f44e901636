using System.Globalization;
using FuncAuth.Core.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>
/// The step-up rule at the HTTP edge: a sensitive operation whose caller's session has no recent enough proof answers
/// <c>403</c> <c>reauthentication_required</c> with RFC 9470's challenge. A route takes it whole with
/// <see cref="RequireRecentProof{TBuilder}"/>; a route where only some requests are sensitive (logout of other sessions,
/// ending another session) asks <see cref="Challenge"/> itself.
/// </summary>
public static class StepUpChallenge
{
    /// <summary>Every request of the route needs <paramref name="requirement"/>; checked after authentication and authorization.</summary>
    public static TBuilder RequireRecentProof<TBuilder>(this TBuilder builder, ProofRequirement requirement = ProofRequirement.Recent)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            await ChallengeAsync(context.HttpContext, requirement, context.HttpContext.RequestAborted) ?? await next(context));

    /// <summary>Null when the caller's session meets <paramref name="requirement"/>; otherwise the answer to give.</summary>
    public static ProblemHttpResult? Challenge(HttpContext context, ProofRequirement requirement)
    {
        // A passkey counts as a second factor too, which takes a storage query to know: only the filter form asks it.
        if (requirement == ProofRequirement.RecentWithSecondFactor)
        {
            throw new InvalidOperationException("Use RequireRecentProof for a step that needs the second factor.");
        }

        return context.Features.Get<AuthenticatedSession>() is { } session ? Answer(context, session, requirement, session.MfaEnabled) : NoSession();
    }

    /// <summary>
    /// As <see cref="Challenge"/>. Where the step needs the second factor and neither the session (<c>mfa</c>) nor the
    /// account's TOTP flag settles it, the account's passkeys are asked (one range query), since a passkey is a second
    /// factor as well.
    /// </summary>
    private static async Task<ProblemHttpResult?> ChallengeAsync(HttpContext context, ProofRequirement requirement, CancellationToken cancellationToken)
    {
        if (context.Features.Get<AuthenticatedSession>() is not { } session)
        {
            return NoSession();
        }

        var hasSecondFactor = session.MfaEnabled;
        if (StepUp.NeedsPasskeyCheck(session, requirement)
            && context.RequestServices.GetService<FuncAuth.Core.Passkeys.PasskeyService>() is { IsEnabled: true } passkeys)
        {
            hasSecondFactor = await passkeys.HasPasskeyAsync(session.UserId, cancellationToken);
        }

        return Answer(context, session, requirement, hasSecondFactor);
    }

    // An API key or its token: no session, so nothing to re-authenticate. Such routes do not accept keys; this is the
    // safe answer should one ever reach here.
    private static ProblemHttpResult NoSession() => Problems.Create(ErrorCodes.Forbidden, "This operation needs a signed-in session.");

    private static ProblemHttpResult? Answer(HttpContext context, AuthenticatedSession session, ProofRequirement requirement, bool hasSecondFactor)
    {
        var stepUp = context.RequestServices.GetRequiredService<StepUp>();
        if (stepUp.IsMet(session, requirement, hasSecondFactor))
        {
            return null;
        }

        var seconds = ((long)stepUp.Window.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var detail = requirement == ProofRequirement.RecentWithSecondFactor && hasSecondFactor
            ? "Confirm it is you: re-authenticate with your second factor (POST /api/auth/reauthenticate), then retry."
            : "Confirm it is you: re-authenticate (POST /api/auth/reauthenticate), then retry.";
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_user_authentication\", error_description=\"A more recent authentication is required.\", max_age={seconds}";
        context.Response.Headers.CacheControl = "no-store";
        return Problems.Create(ErrorCodes.ReauthenticationRequired, detail);
    }
}
