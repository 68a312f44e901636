using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.OAuth;

/// <summary>
/// The grants of <c>POST /oauth/token</c>, dispatched by <c>grant_type</c>. A new grant is one <see cref="ITokenGrant"/>
/// in a file of its own, one entry in <see cref="Supported"/> and one line in <see cref="Register"/>.
/// </summary>
public sealed class TokenGrants(IEnumerable<ITokenGrant> grants, IOptions<Core.OAuth.OAuthOptions> oauth)
{
    public const string Password = PasswordGrant.Type;
    public const string RefreshToken = RefreshTokenGrant.Type;
    /// <summary>The second step of a password grant answered <c>mfa_required</c> (Auth0's <c>mfa-otp</c>, under FuncAuth's name).</summary>
    public const string Mfa = MfaGrant.Type;
    public const string AuthorizationCode = AuthorizationCodeGrant.Type;

    /// <summary>Every grant this server knows, in the order the discovery document and the errors list them.</summary>
    public static readonly IReadOnlyList<string> Supported = [AuthorizationCode, Password, RefreshToken, ClientCredentialsGrant.Type, Mfa];

    private readonly Dictionary<string, ITokenGrant> _grants = grants.ToDictionary(g => g.GrantType, StringComparer.Ordinal);

    /// <summary>The grants this server answers under these settings, as published in the discovery document.</summary>
    public static IReadOnlyList<string> SupportedBy(Core.OAuth.OAuthOptions settings) =>
        settings.PasswordGrantEnabled ? Supported : Supported.Where(g => g != Password).ToArray();

    public static IServiceCollection Register(IServiceCollection services)
    {
        services.AddSingleton<ITokenGrant, AuthorizationCodeGrant>();
        services.AddSingleton<ITokenGrant, PasswordGrant>();
        services.AddSingleton<ITokenGrant, RefreshTokenGrant>();
        services.AddSingleton<ITokenGrant, ClientCredentialsGrant>();
        services.AddSingleton<ITokenGrant, MfaGrant>();
        return services.AddSingleton<TokenGrants>();
    }

    public Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> IssueAsync(HttpRequest request, OAuthFields fields, CancellationToken cancellationToken)
    {
        var supported = SupportedBy(oauth.Value);
        return fields["grant_type"] switch
        {
            null => Refuse(OAuthError.InvalidRequest("grant_type is required.")),
            // RFC 9700 §2.4: the password grant MUST NOT be used; OAuth__PasswordGrant=disabled turns it off.
            { } type when supported.Contains(type, StringComparer.Ordinal) && _grants.TryGetValue(type, out var grant) =>
                grant.IssueAsync(request, fields, cancellationToken),
            _ => Refuse(OAuthError.UnsupportedGrantType("Supported grant types: " + string.Join(", ", supported) + ".")),
        };
    }

    private static Task<Results<TokenIssued, ClientTokenIssued, OAuthError>> Refuse(OAuthError error) =>
        Task.FromResult<Results<TokenIssued, ClientTokenIssued, OAuthError>>(error);
}
