using FuncAuth.Core.Options;
using FuncAuth.Functions.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions;

public static class AuthorizationServerMetadataFunction
{
    public static IEndpointRouteBuilder MapAuthorizationServerMetadata(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/oauth-authorization-server", HandleAsync).WithName("AuthorizationServerMetadata");
        return app;
    }

    /// <summary>RFC 8414 metadata: the same document as the OpenID Connect discovery route.</summary>
    public static JsonHttpResult<DiscoveryResponse> HandleAsync(IOptions<AuthOptions> options, IOptions<Core.OAuth.OAuthOptions> oauth, HttpResponse response) =>
        Discovery.Document(options, oauth, response);
}
