using FuncAuth.Core.Accounts;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Sessions;

internal static class UserMapping
{
    /// <summary>The account as the API shows it: the same mapping as the profile copy beside the sessions.</summary>
    public static UserAccount ToAccount(this UserEntity user) => UserRefEntity.Of(user).ToAccount();
}
