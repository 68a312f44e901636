using FuncAuth.Core.Accounts;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Passkeys;

/// <summary>The account a passkey assertion proved, with the passkey it used.</summary>
public sealed record PasskeyProof(string UserId, string PasskeyId, UserAccount Account)
{
    internal UserRefEntity Owner { get; init; } = null!;
}
