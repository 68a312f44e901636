using FuncAuth.Core.Options;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions;

public static class OpenIdConfigurationFunction
{
    public static IEndpointRouteBuilder MapOpenIdConfiguration(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/openid-configuration", HandleAsync).WithName("OpenIdConfiguration");
        return app;
    }

    /// <summary>What ASP.NET Core JwtBearer and other OpenID Connect validators read from <c>Authority</c>.</summary>
    public static JsonHttpResult<DiscoveryResponse> HandleAsync(IOptions<AuthOptions> options, IOptions<Core.OAuth.OAuthOptions> oauth, HttpResponse response) =>
        Discovery.Document(options, oauth, response);
}
