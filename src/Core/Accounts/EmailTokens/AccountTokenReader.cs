using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Core.Accounts.EmailTokens;

/// <summary>Finds the account a verification or reset token names and checks the token against it as it is now.</summary>
public sealed class AccountTokenReader(SigningKeyRing keys, UserStore users, TimeProvider time)
{
    private readonly SigningKeyRing _keys = keys;
    private readonly UserStore _users = users;
    private readonly TimeProvider _time = time;

    /// <summary>
    /// The account a token is for, if its MAC matches the account as it is now and it has not expired; a token that
    /// matches but expired gives no account and <c>Expired</c> true.
    /// </summary>
    internal async Task<(UserEntity? User, bool Expired)> ReadAsync(AccountTokenParts parts, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken);
        var key = keys.Find(parts.KeyId);
        if (key is null)
        {
            keys = await _keys.GetWithKeyAsync(parts.KeyId, cancellationToken);
            key = keys.Find(parts.KeyId);
        }

        var emailKey = key is null ? null : await _users.FindEmailKeyAsync(parts.UserId, cancellationToken);
        var user = emailKey is null ? null : await _users.FindByEmailKeyAsync(emailKey, cancellationToken);
        if (user is null || user.UserId != parts.UserId || !AccountTokens.Matches(parts, user, key!))
        {
            return (null, false);
        }

        return _time.GetUtcNow() >= parts.ExpiresAt ? (null, true) : (user, false);
    }
}
