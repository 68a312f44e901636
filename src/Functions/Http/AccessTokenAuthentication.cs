using System.Diagnostics;
using System.Security.Claims;
using System.Text.Encodings.Web;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Sessions;
using FuncAuth.Functions.ApiKeys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FuncAuth.Functions.Http;

/// <summary>
/// Bearer authentication against FuncAuth's own sessions: a valid signature is not enough, the session must be live
/// and the token must be the one it currently accepts. Failures answer with the API's codes and RFC 6750's header.
/// </summary>
public sealed class AccessTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionService sessions,
    ApiKeyService apiKeys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "FuncAuthBearer";
    public const string AdminPolicy = "admin";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadBearerToken(Request);
        if (await ApiKeyAuthentication.TryAuthenticateAsync(Context, token, SchemeName, apiKeys) is { } keyResult)
        {
            return keyResult;
        }

        var result = await sessions.AuthenticateAsync(token, Context.RequestAborted);
        if (result is not AuthenticationResult.Authenticated { Session: var session })
        {
            Context.Features.Set(new Failure(result));
            return result is AuthenticationResult.Missing ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(result.GetType().Name);
        }

        Context.Features.Set(session);
        var identity = new ClaimsIdentity(
            session.Roles.Select(r => new Claim("roles", r)).Append(new Claim("sub", session.UserId)).Append(new Claim("sid", session.SessionId))
                .Append(new Claim("auth_time", session.AuthTime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64))
                .Concat(session.Methods.Select(m => new Claim("amr", m))),
            SchemeName,
            "sub",
            "roles");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Features.Get<ApiKeyFailure>() is { } keyFailure)
        {
            return keyFailure.ExecuteAsync(Context);
        }

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

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Create(ErrorCodes.Forbidden, "This operation requires the admin role.").ExecuteAsync(Context);

    private static string? ReadBearerToken(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }

    private sealed record Failure(AuthenticationResult Result);
}

/// <summary>The authenticated caller of a protected endpoint, bound from what authentication established.</summary>
public sealed record Caller(AuthenticatedSession Session)
{
    public static ValueTask<Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Features.Get<AuthenticatedSession>() is { } session ? new Caller(session) : null);
}
