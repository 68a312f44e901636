using FuncAuth.Core.OAuth;
using FuncAuth.Core.Options;
using FuncAuth.Functions.Http;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.OAuth;

/// <summary>
/// Where <c>GET /oauth/authorize</c> sends the browser: <c>Auth__LoginPageUrl</c>, or the first allowed CORS origin +
/// <c>/authorize</c> (the demo SPA's page). Null when neither is set, which start-up refuses while clients are registered.
/// </summary>
public sealed class LoginPage(IOptions<AuthOptions> auth, IOptions<CorsSettings> cors)
{
    public string? Url => auth.Value.LoginPageUrl is { Length: > 0 } url ? url
        : cors.Value.Origins.FirstOrDefault() is { } origin ? origin.TrimEnd('/') + "/authorize" : null;

    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<LoginPage>();
        services.AddOptions<OAuthOptions>().Validate<LoginPage>(
            (oauth, page) => oauth.Clients.Count == 0 || page.Url is not null,
            "OAuth clients are registered but there is no sign-in page: set Auth__LoginPageUrl or Cors__AllowedOrigins");
    }
}
