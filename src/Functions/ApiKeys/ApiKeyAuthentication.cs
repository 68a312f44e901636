using System.Text.Encodings.Web;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Tokens;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.ApiKeys;

/// <summary>
/// An API key's credential: <c>X-API-Key</c> where an endpoint takes it, or an access token issued to a key (no
/// <c>sid</c>, <c>client_id</c> = a key id), which needs its key to be live on every use. Endpoints that need a
/// signed-in session (logout, key management, role changes) refuse key tokens with 403.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokens accessTokens,
    ApiKeyService apiKeys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "FuncAuthApiKey";
    public const string HeaderName = "X-API-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var accepts = Context.GetEndpoint()?.Metadata.GetMetadata<AcceptsApiKeys>();
        if (accepts is { Header: true } && Request.Headers.TryGetValue(HeaderName, out var values))
        {
            var caller = await apiKeys.VerifyAsync(values.Count == 1 ? values[0] : null, Context.RequestAborted);
            return caller is null
                ? Fail(new ApiKeyFailure(ErrorCodes.InvalidApiKey, "The API key is not valid.", Bearer: false))
                : Succeed(caller);
        }

        // The token is validated here, once; the key check takes the validated claims.
        var check = await accessTokens.ValidateAsync(AccessTokenAuthentication.ReadBearerToken(Request) ?? "", Context.RequestAborted);
        var result = check is { Status: AccessTokenStatus.Valid, Claims: { } claims }
            ? await apiKeys.AuthenticateTokenAsync(claims, Context.RequestAborted)
            : new KeyTokenResult(check.Status == AccessTokenStatus.Expired ? KeyTokenStatus.Expired : KeyTokenStatus.Invalid);
        return result.Status switch
        {
            KeyTokenStatus.Authenticated when accepts is { Tokens: true } => Succeed(result.Caller!),
            KeyTokenStatus.Authenticated => Fail(new ApiKeyFailure(ErrorCodes.Forbidden, "This operation needs a signed-in user; a token issued to an API key is not accepted here.", Bearer: false)),
            KeyTokenStatus.Expired => Fail(new ApiKeyFailure(ErrorCodes.TokenExpired, "The access token has expired.", Bearer: true)),
            KeyTokenStatus.Revoked => Fail(new ApiKeyFailure(ErrorCodes.TokenRevoked, "The API key this token was issued to was revoked or has expired.", Bearer: true)),
            _ => Fail(new ApiKeyFailure(ErrorCodes.TokenInvalid, "The access token is not valid.", Bearer: true)),
        };
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        // The policy scheme sends a request here only with a key credential, so authentication recorded its failure.
        (Context.Features.Get<ApiKeyFailure>() ?? new ApiKeyFailure(ErrorCodes.TokenInvalid, "The access token is not valid.", Bearer: true)).ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => BearerPrincipal.ForbidAdmin(Context);

    private AuthenticateResult Succeed(AuthenticatedApiKey caller)
    {
        Context.Features.Set(caller);
        return AuthenticateResult.Success(new AuthenticationTicket(BearerPrincipal.For(caller, SchemeName), SchemeName));
    }

    private AuthenticateResult Fail(ApiKeyFailure failure)
    {
        Context.Features.Set(failure);
        return AuthenticateResult.Fail(failure.Error.Code);
    }
}
