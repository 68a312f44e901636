namespace FuncAuth.Core.Mfa;

/// <summary>One version of the key that encrypts TOTP secrets: 256 bits for AES-GCM.</summary>
internal sealed record MfaKey(string Id, byte[] Key);
