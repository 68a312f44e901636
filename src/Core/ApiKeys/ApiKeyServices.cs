using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.ApiKeys;

/// <summary>Registers the API-key services (called by <see cref="DependencyInjection.AddFuncAuthCore"/>).</summary>
public static class ApiKeyServices
{
    public static IServiceCollection AddFuncAuthApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiKeyOptions>().Bind(configuration.GetSection(ApiKeyOptions.Section)).ValidateWith(new ApiKeyOptionsValidator());
        services.AddSingleton(sp => new ApiKeyStore(sp.GetRequiredService<AuthTables>()));
        services.AddSingleton(sp => new ApiKeyUsage(
            sp.GetRequiredService<ApiKeyStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApiKeyUsage>>()));
        services.AddSingleton(sp => new ApiKeyService(
            sp.GetRequiredService<IOptions<ApiKeyOptions>>(), sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetRequiredService<ApiKeyStore>(),
            sp.GetRequiredService<ApiKeyUsage>(), sp.GetRequiredService<UserStore>(), sp.GetRequiredService<SessionStore>(), sp.GetRequiredService<SigningKeyRing>(),
            sp.GetRequiredService<AccessTokens>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApiKeyService>>())
        {
            Metrics = sp.GetRequiredService<Diagnostics.AuthMetrics>(),
            Audit = sp.GetRequiredService<Audit.AuditTrail>(),
            SecurityEmails = sp.GetRequiredService<Email.SecurityEmails>(),
        });
        services.AddSingleton(sp => new ApiKeyCleanup(
            sp.GetRequiredService<ApiKeyStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApiKeyCleanup>>()));
        return services;
    }
}
