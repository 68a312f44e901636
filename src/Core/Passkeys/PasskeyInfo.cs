namespace FuncAuth.Core.Passkeys;

/// <summary>A passkey as its owner sees it.</summary>
public sealed record PasskeyInfo(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);
