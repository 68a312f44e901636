namespace FuncAuth.Core.Sessions;

/// <summary>
/// A credential presented again inside a signed-in session (step-up, RFC 9470). Closed: each kind is one case, and
/// <see cref="Reauthentication"/> checks each in one switch; a new kind is a new case and a new arm there.
/// </summary>
public abstract record Proof
{
    private Proof()
    {
    }

    /// <summary>The account's password: proves <c>pwd</c>.</summary>
    public sealed record Password(string Value) : Proof;

    /// <summary>
    /// An AuthenticationResponseJSON of one of the user's passkeys, over a challenge issued to session
    /// <paramref name="SessionId"/> (<c>POST /api/auth/passkeys/options</c>): proves <c>hwk</c> and, user-verified, <c>mfa</c>.
    /// </summary>
    public sealed record Passkey(System.Text.Json.JsonElement? Credential, string SessionId) : Proof;

    /// <summary>A TOTP code or a recovery code of the account's second factor: proves <c>otp</c> (spent as at sign-in).</summary>
    public sealed record SecondFactor(FuncAuth.Core.Mfa.OneTimeCode Code) : Proof;
}
