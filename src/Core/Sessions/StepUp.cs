using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// The step-up rule (RFC 9470, ASVS 5.0 V7.5): a sensitive operation needs a recent proof in the caller's session. Read
/// from what authentication already holds (the session's <c>auth_time</c> and <c>amr</c>, the profile copy's second
/// factor), so the check costs no storage call.
/// </summary>
public sealed class StepUp(IOptions<AuthOptions> options, TimeProvider time, ILogger<StepUp> logger)
{
    /// <summary>How recent a proof must be: <c>max_age</c> of the challenge.</summary>
    public TimeSpan Window => options.Value.ReauthenticationWindow;

    /// <summary>True when <paramref name="caller"/>'s session meets <paramref name="requirement"/> now.</summary>
    public bool IsMet(AuthenticatedSession caller, ProofRequirement requirement) => IsMet(caller, requirement, caller.MfaEnabled);

    /// <summary>
    /// Whether a <see cref="ProofRequirement.RecentWithSecondFactor"/> check must look further than the profile copy: the
    /// session has no <c>mfa</c> and the account no TOTP, so only its passkeys (one storage query) can tell whether it
    /// has a second factor.
    /// </summary>
    public static bool NeedsPasskeyCheck(AuthenticatedSession caller, ProofRequirement requirement) =>
        requirement == ProofRequirement.RecentWithSecondFactor && !caller.MfaEnabled && !caller.Methods.Contains(AuthMethods.MultiFactor);

    /// <summary>As above, with <paramref name="hasSecondFactor"/> known (TOTP on, or a passkey registered).</summary>
    public bool IsMet(AuthenticatedSession caller, ProofRequirement requirement, bool hasSecondFactor)
    {
        var age = time.GetUtcNow() - caller.AuthTime;
        var recent = age <= Window;
        var secondFactor = requirement == ProofRequirement.RecentWithSecondFactor && hasSecondFactor;
        if (recent && (!secondFactor || caller.Methods.Contains(AuthMethods.MultiFactor)))
        {
            return true;
        }

        StepUpLog.ReauthenticationRequired(logger, caller.UserId, caller.SessionId, secondFactor);
        return false;
    }
}
