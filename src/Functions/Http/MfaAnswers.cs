using FuncAuth.Core.Mfa;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Http;

/// <summary>The answers the second-factor endpoints share.</summary>
internal static class MfaAnswers
{
    /// <summary><c>403</c> <c>mfa_required</c>: the password was right; the problem carries what the second step needs.</summary>
    public static ProblemHttpResult MfaRequired(string mfaToken, int expiresIn, IReadOnlyList<string> methods) =>
        Problems.Create(ErrorCodes.MfaRequired, "Enter a code from your authenticator app (or a recovery code): POST /api/auth/mfa/verify with the mfaToken.", extensions: new Dictionary<string, object?>
        {
            ["mfaToken"] = mfaToken,
            ["expiresIn"] = expiresIn,
            ["methods"] = methods,
        });

    /// <summary>The one second-factor code a body carries, or null when it carries none or both.</summary>
    public static OneTimeCode? CodeOf(string? code, string? recoveryCode) => (code, recoveryCode) switch
    {
        ({ Length: > 0 }, null or "") => new OneTimeCode.Totp(code),
        (null or "", { Length: > 0 }) => new OneTimeCode.Recovery(recoveryCode),
        _ => null,
    };
}
