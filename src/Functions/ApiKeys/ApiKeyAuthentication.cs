using System.Security.Claims;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Authentication;

namespace FuncAuth.Functions.ApiKeys;

/// <summary>Endpoint metadata: which API-key credentials an endpoint takes besides a session's access token.</summary>
public sealed record AcceptsApiKeys(bool Header, bool Tokens);

public static class ApiKeyEndpointExtensions
{
    /// <summary>The endpoint also accepts <c>X-API-Key</c> and access tokens issued to API keys.</summary>
    public static TBuilder AcceptApiKeys<TBuilder>(this TBuilder builder, bool header = true, bool tokens = true)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AcceptsApiKeys(header, tokens));
}

/// <summary>
/// The API-key part of access-token authentication: <c>X-API-Key</c> where an endpoint takes it, and access tokens
/// issued to API keys (no <c>sid</c>, <c>client_id</c> = a key id), which need their key to be live on every use.
/// Endpoints that need a signed-in session (logout, key management, role changes) refuse key tokens with 403.
/// </summary>
internal static class ApiKeyAuthentication
{
    public const string HeaderName = "X-API-Key";

    /// <summary>The result for an API-key credential, or null when the request carries none (a session token follows).</summary>
    public static async Task<AuthenticateResult?> TryAuthenticateAsync(HttpContext context, string? bearerToken, string scheme, ApiKeyService apiKeys)
    {
        var accepts = context.GetEndpoint()?.Metadata.GetMetadata<AcceptsApiKeys>();
        if (accepts is { Header: true } && context.Request.Headers.TryGetValue(HeaderName, out var values))
        {
            var caller = await apiKeys.VerifyAsync(values.Count == 1 ? values[0] : null, context.RequestAborted);
            return caller is null
                ? Fail(context, new ApiKeyFailure(ErrorCodes.InvalidApiKey, "The API key is not valid.", Bearer: false))
                : Succeed(context, caller, scheme);
        }

        var result = await apiKeys.AuthenticateTokenAsync(bearerToken, context.RequestAborted);
        if (result is null)
        {
            return null;
        }

        return result.Status switch
        {
            KeyTokenStatus.Authenticated when accepts is { Tokens: true } => Succeed(context, result.Caller!, scheme),
            KeyTokenStatus.Authenticated => Fail(context, new ApiKeyFailure(ErrorCodes.Forbidden, "This operation needs a signed-in user; a token issued to an API key is not accepted here.", Bearer: false)),
            KeyTokenStatus.Expired => Fail(context, new ApiKeyFailure(ErrorCodes.TokenExpired, "The access token has expired.", Bearer: true)),
            KeyTokenStatus.Revoked => Fail(context, new ApiKeyFailure(ErrorCodes.TokenRevoked, "The API key this token was issued to was revoked or has expired.", Bearer: true)),
            _ => Fail(context, new ApiKeyFailure(ErrorCodes.TokenInvalid, "The access token is not valid.", Bearer: true)),
        };
    }

    private static AuthenticateResult Succeed(HttpContext context, AuthenticatedApiKey caller, string scheme)
    {
        context.Features.Set(caller);
        var identity = new ClaimsIdentity(
            caller.Roles.Select(r => new Claim("roles", r)).Append(new Claim("sub", caller.UserId)).Append(new Claim("client_id", caller.KeyId)),
            scheme,
            "sub",
            "roles");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), scheme));
    }

    private static AuthenticateResult Fail(HttpContext context, ApiKeyFailure failure)
    {
        context.Features.Set(failure);
        return AuthenticateResult.Fail(failure.Error.Code);
    }
}

/// <summary>Why an API-key credential was refused; the authentication challenge answers with it.</summary>
internal sealed record ApiKeyFailure(ApiError Error, string Detail, bool Bearer)
{
    public Task ExecuteAsync(HttpContext context)
    {
        if (Error.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = Bearer
                ? $"Bearer error=\"invalid_token\", error_description=\"{Detail}\""
                : $"ApiKey realm=\"funcauth\", header=\"{ApiKeyAuthentication.HeaderName}\"";
        }

        return Problems.Create(Error, Detail).ExecuteAsync(context);
    }
}

/// <summary>The caller behind an API key or an access token issued to one, bound from what authentication established.</summary>
public sealed record KeyCaller(AuthenticatedApiKey Key)
{
    public static ValueTask<KeyCaller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Features.Get<AuthenticatedApiKey>() is { } key ? new KeyCaller(key) : null);
}
