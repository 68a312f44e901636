using FuncAuth.Core.Passwords;

namespace FuncAuth.Functions.Http;

/// <summary>Settings of the HTTP edge's abuse resistance, and the start-up checks the password rules depend on.</summary>
public static class AbuseEdge
{
    public static IServiceCollection AddFuncAuthAbuseEdge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.Section))
            .Validate(o => NetworkOptions.Parse(o.TrustedProxies) is not null, "Network__TrustedProxies must be comma-separated IP addresses or CIDR ranges")
            .Validate(o => NetworkOptions.IsHeaderName(o.ClientAddressHeader), "Network__ClientAddressHeader must be a header name")
            // Checked here so that a build or host without ICU stops the program with one line instead of comparing
            // passwords unnormalised.
            .Validate(_ => UnicodeNormalization.Works(), "Unicode normalisation is unavailable (ICU missing or invariant globalization on); passwords cannot be compared as docs/api.md requires")
            .ValidateOnStart();
        services.AddSingleton<UnknownClientAddresses>();
        return services;
    }
}
