namespace FuncAuth.Core.Mfa;

/// <summary>Where the TOTP-secret keys come from: a dedicated Key Vault secret, or a local stand-in.</summary>
internal interface IMfaKeySource
{
    /// <summary>The key new secrets are encrypted under.</summary>
    Task<MfaKey> CurrentAsync(CancellationToken cancellationToken);

    /// <summary>The key of version <paramref name="id"/>, or null when there is no such (enabled) version.</summary>
    Task<MfaKey?> FindAsync(string id, CancellationToken cancellationToken);
}
