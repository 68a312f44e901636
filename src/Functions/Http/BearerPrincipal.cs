using System.Globalization;
using System.Security.Claims;
using FuncAuth.Core.ApiKeys;
using FuncAuth.Core.Sessions;

namespace FuncAuth.Functions.Http;

/// <summary>
/// The one principal both bearer schemes produce, with the access token's claim names: <c>sub</c> and <c>roles</c>
/// always; <c>sid</c>, <c>auth_time</c> and <c>amr</c> for a session; <c>client_id</c> (the key id) for an API key.
/// Endpoints bind <see cref="Caller"/> (a session) or <see cref="FuncAuth.Functions.ApiKeys.KeyCaller"/> (a key).
/// </summary>
public static class BearerPrincipal
{
    public static ClaimsPrincipal For(AuthenticatedSession session, string scheme) => Create(
        session.UserId,
        session.Roles,
        [
            new Claim("sid", session.SessionId),
            new Claim("auth_time", session.AuthTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
            .. session.Methods.Select(m => new Claim("amr", m)),
        ],
        scheme);

    public static ClaimsPrincipal For(AuthenticatedApiKey key, string scheme) =>
        Create(key.UserId, key.Roles, [new Claim("client_id", key.KeyId)], scheme);

    /// <summary>The answer of both schemes to an authenticated caller without the role a policy asks for.</summary>
    public static Task ForbidAdmin(HttpContext context) =>
        Problems.Create(ErrorCodes.Forbidden, "This operation requires the admin role.").ExecuteAsync(context);

    private static ClaimsPrincipal Create(string subject, IEnumerable<string> roles, IEnumerable<Claim> claims, string scheme) =>
        new(new ClaimsIdentity(roles.Select(r => new Claim("roles", r)).Append(new Claim("sub", subject)).Concat(claims), scheme, "sub", "roles"));
}
