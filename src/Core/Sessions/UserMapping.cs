using FuncAuth.Core.Accounts;
using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Sessions;

internal static class UserMapping
{
    public static UserAccount ToAccount(this UserEntity user) => new(
        user.UserId,
        user.Email,
        user.Name,
        user.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries),
        user.CreatedAt,
        user.EmailVerified,
        user.Disabled);
}
