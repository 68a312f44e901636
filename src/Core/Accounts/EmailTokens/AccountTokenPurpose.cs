namespace FuncAuth.Core.Accounts.EmailTokens;

/// <summary>What a verification or reset token is for; part of its MAC, so one can never pass as the other.</summary>
internal enum AccountTokenPurpose
{
    VerifyEmail,
    ResetPassword,
}
