using FuncAuth.Core.Email;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Passkeys;

/// <summary>Registers the passkey services (called by <see cref="DependencyInjection.AddFuncAuthCore"/>).</summary>
public static class PasskeyServices
{
    public static IServiceCollection AddFuncAuthPasskeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebAuthnOptions>()
            .Bind(configuration.GetSection(WebAuthnOptions.Section))
            .PostConfigure(o =>
            {
                // Unset, the relying party is the browser app FuncAuth already trusts: its allowed origins, and the host of the first.
                var defaulted = string.IsNullOrWhiteSpace(o.Origins);
                if (defaulted)
                {
                    o.Origins = configuration["Cors:AllowedOrigins"];
                }

                if (string.IsNullOrWhiteSpace(o.RpId) && o.OriginList.FirstOrDefault() is { } first && Uri.TryCreate(first, UriKind.Absolute, out var uri))
                {
                    o.RpId = uri.Host;
                }

                if (defaulted && !string.IsNullOrWhiteSpace(o.RpId))
                {
                    // Taken from CORS, the origins are only those on the RP id: another site allowed to call the API
                    // (b.example.com beside a.example.com) cannot use these passkeys, and must not stop the app starting.
                    o.Origins = string.Join(',', o.OriginList.Where(origin =>
                        Uri.TryCreate(origin, UriKind.Absolute, out var u) && WebAuthnOptions.OnRpId(u.Host, o.RpId)));
                }

                if (configuration["Auth:TotpIssuer"] is { Length: > 0 } issuer)
                {
                    o.RpName = issuer;
                }
            })
            .ValidateWith(new WebAuthnOptionsValidator());
        services.AddSingleton<PasskeyStore>();
        services.AddSingleton<PasskeyService>();
        return services;
    }
}
