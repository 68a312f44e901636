namespace FuncAuth.Core.Passkeys;

public enum RegisterPasskeyStatus
{
    Created,
    /// <summary>The credential failed a check (origin, RP id, challenge, user verification, format): <c>passkey_invalid</c>.</summary>
    Invalid,
    TooMany,
    NameInvalid,
}
