using FuncAuth.Core.Options;
using FuncAuth.Core.Passwords;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        services.AddSingleton<RateLimitStore>();
        services.AddSingleton<AbuseLimits>();
        services.AddSingleton<LoginGuard>();
        // Before the email services register theirs: the outbox asks this limit before each mail it sends.
        services.AddSingleton<Email.IEmailRecipientLimit, EmailRecipientLimit>();
        return services;
    }
}
