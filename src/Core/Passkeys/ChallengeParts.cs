namespace FuncAuth.Core.Passkeys;

/// <summary>A challenge taken apart after its MAC and lifetime were checked.</summary>
internal sealed record ChallengeParts(ChallengePurpose Purpose, string Nonce, DateTimeOffset ExpiresAt, byte[] UserHandle);
