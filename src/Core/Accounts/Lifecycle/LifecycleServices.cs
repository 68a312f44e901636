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

/// <summary>Registers the account lifecycle and the v2 admin operations.</summary>
public static class LifecycleServices
{
    public static IServiceCollection AddFuncAuthAccountLifecycle(this IServiceCollection services)
    {
        services.AddSingleton(sp => new AccountLifecycle(
            sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetRequiredService<PasswordHashing>(), sp.GetRequiredService<SigningKeyRing>(),
            sp.GetRequiredService<UserStore>(), sp.GetRequiredService<SessionStore>(),
            sp.GetRequiredService<EmailOutbox>(), sp.GetRequiredService<ApiKeyService>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AccountLifecycle>>())
        {
            Metrics = sp.GetRequiredService<Diagnostics.AuthMetrics>(),
            Breaches = sp.GetRequiredService<BreachedPasswords>(),
            Admins = sp.GetRequiredService<AdminIndex>(),
            Audit = sp.GetRequiredService<Audit.AuditTrail>(),
            SecurityEmails = sp.GetRequiredService<SecurityEmails>(),
        });
        services.AddSingleton(sp => new UserAdministration(
            sp.GetRequiredService<UserStore>(), sp.GetRequiredService<SessionStore>(),
            sp.GetRequiredService<ApiKeyService>(), sp.GetRequiredService<AdminIndex>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<UserAdministration>>())
        {
            Metrics = sp.GetRequiredService<Diagnostics.AuthMetrics>(),
            Audit = sp.GetRequiredService<Audit.AuditTrail>(),
        });
        return services;
    }
}
