using FuncAuth.Core.Options;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Abuse;

/// <summary>Registers the rate limits, the hash bulkhead and the guarded login.</summary>
public static class AbuseServices
{
    public static IServiceCollection AddFuncAuthAbuseResistance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section)).ValidateWith(new RateLimitOptionsValidator());
        services.AddOptions<HashingOptions>().Bind(configuration.GetSection(Options.AuthOptions.Section))
            .Validate(o => o.MaxConcurrentHashes >= 1, "Auth__MaxConcurrentHashes must be at least 1")
            .Validate(o => o.HashesPerSecondPerSlot >= 1, "Auth__HashesPerSecondPerSlot must be at least 1")
            .Validate(o => o.QueueLimit >= 0, "Auth__MaxQueuedHashes must not be negative")
            .ValidateOnStart();
        services.AddSingleton<HashBulkhead>();
        services.AddSingleton(sp => new RateLimitStore(sp.GetRequiredService<AuthTables>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AbuseLimits(
            sp.GetRequiredService<RateLimitStore>(), sp.GetRequiredService<IOptions<RateLimitOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AbuseLimits>>())
        {
            Metrics = sp.GetRequiredService<Diagnostics.AuthMetrics>(),
        });
        services.AddSingleton(sp => new LoginGuard(
            sp.GetRequiredService<AccountService>(), sp.GetRequiredService<AbuseLimits>(),
            sp.GetRequiredService<HashBulkhead>(), sp.GetRequiredService<ILogger<LoginGuard>>())
        {
            Metrics = sp.GetRequiredService<Diagnostics.AuthMetrics>(),
        });
        // Before the email services register theirs: the outbox asks this limit before each mail it sends.
        services.AddSingleton<Email.IEmailRecipientLimit>(sp => new EmailRecipientLimit(sp.GetRequiredService<AbuseLimits>()));
        return services;
    }
}
