namespace FuncAuth.Core.Mfa;

/// <summary>What <c>GET /api/auth/mfa</c> shows.</summary>
public sealed record MfaStatus(bool TotpEnabled, DateTimeOffset? TotpCreatedAt, int RecoveryCodesLeft, int Passkeys);
