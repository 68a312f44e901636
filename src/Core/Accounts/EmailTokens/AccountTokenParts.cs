namespace FuncAuth.Core.Accounts.EmailTokens;

/// <summary>A verification or reset token taken apart; its MAC is checked only against the account it names.</summary>
internal sealed record AccountTokenParts(AccountTokenPurpose Purpose, string UserId, DateTimeOffset ExpiresAt, string KeyId, byte[] Mac);
