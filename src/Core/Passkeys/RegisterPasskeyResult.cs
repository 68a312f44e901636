namespace FuncAuth.Core.Passkeys;

public sealed record RegisterPasskeyResult(RegisterPasskeyStatus Status, PasskeyInfo? Passkey = null, IReadOnlyDictionary<string, string[]>? Errors = null);
