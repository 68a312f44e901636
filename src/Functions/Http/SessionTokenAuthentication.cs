using System.Diagnostics;
using System.Text.Encodings.Web;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.Http;

/// <summary>
/// A session's access token: a valid signature is not enough, the session must be live and the token must be the one it
/// currently accepts. Failures answer with the API's codes and RFC 6750's header.
/// </summary>
public sealed class SessionTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokens accessTokens,
    SessionService sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "FuncAuthSession";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var result = await AuthenticateAsync(AccessTokenAuthentication.ReadBearerToken(Request));
        if (result is not AuthenticationResult.Authenticated { Session: var session })
        {
            Context.Features.Set(new Failure(result));
            return result is AuthenticationResult.Missing ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(result.GetType().Name);
        }

        Context.Features.Set(session);
        return AuthenticateResult.Success(new AuthenticationTicket(BearerPrincipal.For(session, SchemeName), SchemeName));
    }

    // The token is validated here, once; the session check takes the validated claims.
    private async Task<AuthenticationResult> AuthenticateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new AuthenticationResult.Missing();
        }

        var check = await accessTokens.ValidateAsync(token, Context.RequestAborted);
        return check switch
        {
            { Status: AccessTokenStatus.Valid, Claims: { } claims } => await sessions.AuthenticateAsync(claims, Context.RequestAborted),
            { Status: AccessTokenStatus.Expired } => new AuthenticationResult.Expired(),
            _ => new AuthenticationResult.Invalid(),
        };
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // No failure recorded: authentication found no token, or the endpoint was reached without authenticating.
        var (code, detail) = (Context.Features.Get<Failure>()?.Result ?? new AuthenticationResult.Missing()) switch
        {
            AuthenticationResult.Expired => (ErrorCodes.TokenExpired, "The access token has expired."),
            AuthenticationResult.Revoked => (ErrorCodes.TokenRevoked, "The access token's session has ended or the token was replaced."),
            AuthenticationResult.Invalid => (ErrorCodes.TokenInvalid, "The access token is not valid."),
            AuthenticationResult.Missing => (ErrorCodes.TokenMissing, "An access token is required: send Authorization: Bearer <token>."),
            _ => throw new UnreachableException(),
        };
        Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{detail}\"";
        return Problems.Create(code, detail).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => BearerPrincipal.ForbidAdmin(Context);

    private sealed record Failure(AuthenticationResult Result);
}
