using FuncAuth.Core.Accounts;
using FuncAuth.Core.Accounts.EmailTokens;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Support;

/// <summary>Reset and verification tokens made as the emails make them, for tests that need them without a mail server.</summary>
public static class ResetTokens
{
    public static Task<string> ResetTokenAsync(this FuncAuthApp app, string email) => TokenAsync(app, email, AccountTokenPurpose.ResetPassword);

    public static Task<string> VerificationTokenAsync(this FuncAuthApp app, string email) => TokenAsync(app, email, AccountTokenPurpose.VerifyEmail);

    private static async Task<string> TokenAsync(FuncAuthApp app, string email, AccountTokenPurpose purpose)
    {
        var user = (await app.Services.GetRequiredService<UserStore>().FindByEmailKeyAsync(EmailAddress.StorageKey(EmailAddress.Normalize(email)), CancellationToken.None))!;
        var key = (await app.Services.GetRequiredService<SigningKeyRing>().GetAsync(CancellationToken.None)).Current;
        return AccountTokens.Create(purpose, user, DateTimeOffset.UtcNow.AddMinutes(30), key);
    }
}
