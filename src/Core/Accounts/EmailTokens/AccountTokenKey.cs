using System.Text;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Core.Accounts.EmailTokens;

/// <summary>
/// The one place where the MAC key of verification and reset tokens is derived from a signing-key version: HKDF over
/// the version's private scalar with a label of its own, so no relying party (which holds only the public key) can
/// compute it, and it is unrelated to the refresh-token key.
/// </summary>
internal static class AccountTokenKey
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("funcauth/account-token/v1");

    public static byte[] Derive(SigningKey key) => key.DeriveMacKey(Label);
}
