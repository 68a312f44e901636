using FuncAuth.Core.Accounts.Admin;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Email;
using FuncAuth.Core.Options;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Accounts.Lifecycle;

/// <summary>Registers the internal parts of <see cref="Sessions.AccountService"/> and the admin façade.</summary>
public static class LifecycleServices
{
    public static IServiceCollection AddFuncAuthAccountLifecycle(this IServiceCollection services)
    {
        services.AddSingleton<EmailTokens.AccountTokenReader>();
        services.AddSingleton<EmailVerification>();
        services.AddSingleton<PasswordChanges>();
        services.AddSingleton<AccountDeletion>();
        services.AddSingleton<UserAdministration>();
        return services;
    }
}
