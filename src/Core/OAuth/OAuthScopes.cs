namespace FuncAuth.Core.OAuth;

/// <summary>The scopes an authorization request may ask for (OpenID Connect Core §5.4).</summary>
public static class OAuthScopes
{
    public const string OpenId = "openid";
    public const string Email = "email";
    public const string Profile = "profile";

    public static readonly IReadOnlyList<string> Supported = [OpenId, Email, Profile];
}
