namespace FuncAuth.Core.Sessions;

/// <summary>What a sensitive operation asks of the caller's session.</summary>
public enum ProofRequirement
{
    /// <summary>A credential proved within <c>Auth__ReauthenticationWindow</c>.</summary>
    Recent,

    /// <summary>
    /// As <see cref="Recent"/>, and where the account has a second factor (TOTP or a passkey), <c>mfa</c> in the session's
    /// <c>amr</c>.
    /// </summary>
    RecentWithSecondFactor,
}
