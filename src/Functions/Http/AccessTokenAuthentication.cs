using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.ApiKeys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Net.Http.Headers;

namespace FuncAuth.Functions.Http;

/// <summary>
/// Bearer authentication, the default scheme: a policy scheme that forwards each request to one of two schemes, a
/// session's access token (<see cref="SessionTokenAuthentication"/>) or an API key's credential
/// (<see cref="ApiKeyAuthentication"/>: <c>X-API-Key</c> or a token issued to a key). The chosen scheme validates the
/// token once and answers its own challenge, so every failure keeps the API's codes and headers.
/// </summary>
public static class AccessTokenAuthentication
{
    public const string SchemeName = "FuncAuthBearer";
    public const string AdminPolicy = "admin";

    /// <summary>Registers the policy scheme as the default, its two schemes and the admin policy.</summary>
    public static IServiceCollection AddAccessTokenAuthentication(this IServiceCollection services)
    {
        // Authentication core only: the full AddAuthentication also brings Data Protection, which bearer tokens don't need
        // and which would write key files to the profile of whatever machine runs the app.
        services.AddWebEncoders();
        services.AddAuthenticationCore(o => o.DefaultScheme = SchemeName);
        new AuthenticationBuilder(services)
            .AddPolicyScheme(SchemeName, null, o => o.ForwardDefaultSelector = SchemeFor)
            .AddScheme<AuthenticationSchemeOptions, SessionTokenAuthentication>(SessionTokenAuthentication.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(FuncAuth.Core.Accounts.Roles.Admin));
        return services;
    }

    /// <summary>
    /// The scheme for this request, from its headers alone: <c>X-API-Key</c> where the endpoint takes it, a bearer token
    /// shaped like a key's (read, not validated: the chosen scheme validates it and checks its kind again), else a
    /// session's token or none.
    /// </summary>
    public static string SchemeFor(HttpContext context)
    {
        var accepts = context.GetEndpoint()?.Metadata.GetMetadata<AcceptsApiKeys>();
        return accepts is { Header: true } && context.Request.Headers.ContainsKey(ApiKeyAuthentication.HeaderName)
            || ApiKeyService.LooksLikeKeyToken(ReadBearerToken(context.Request))
            ? ApiKeyAuthentication.SchemeName
            : SessionTokenAuthentication.SchemeName;
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? ReadBearerToken(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }
}
