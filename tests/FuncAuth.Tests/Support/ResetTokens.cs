using FuncAuth.Core.Accounts;
using FuncAuth.Core.Accounts.EmailTokens;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Tests.Support;

/// <summary>Reset tokens made as the reset email makes them, for tests that need a reset without a mail server.</summary>
public static class ResetTokens
{
    public static async Task<string> ResetTokenAsync(this FuncAuthApp app, string email)
    {
        var user = (await app.Services.GetRequiredService<UserStore>().FindByEmailKeyAsync(EmailAddress.StorageKey(EmailAddress.Normalize(email)), CancellationToken.None))!;
        var key = (await app.Services.GetRequiredService<SigningKeyRing>().GetAsync(CancellationToken.None)).Current;
        return AccountTokens.Create(AccountTokenPurpose.ResetPassword, user, DateTimeOffset.UtcNow.AddMinutes(30), key);
    }
}
