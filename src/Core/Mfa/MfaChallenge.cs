using FuncAuth.Core.Storage;

namespace FuncAuth.Core.Mfa;

/// <summary>A live sign-in waiting for its second factor, as <see cref="MfaService.FindChallengeAsync"/> found it.</summary>
public sealed class MfaChallenge
{
    internal MfaChallenge(MfaChallengeEntity row, UserEntity user)
    {
        Row = row;
        User = user;
    }

    internal MfaChallengeEntity Row { get; }

    internal UserEntity User { get; }

    /// <summary>The account's key for the failed-login limits (its email's storage key).</summary>
    public string AccountKey => User.PartitionKey;
}
