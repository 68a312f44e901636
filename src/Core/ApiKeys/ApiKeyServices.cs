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
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ApiKeyUsage>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<ApiKeyCleanup>();
        return services;
    }
}
