namespace FuncAuth.Core.ApiKeys;

/// <summary>An API key as its owner and admins see it: never the key itself.</summary>
public sealed record ApiKeyInfo(string Id, string Name, string Scope, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt);

public enum CreateApiKeyStatus
{
    Created,
    Invalid,
    TooMany,
}

/// <summary><c>Key</c> is the only copy of the key there will ever be: shown once, in the create answer.</summary>
public sealed record CreateApiKeyResult(
    CreateApiKeyStatus Status, ApiKeyInfo? Info = null, string? Key = null, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>The owner behind an accepted API key, or behind an access token issued to one.</summary>
public sealed class AuthenticatedApiKey
{
    internal AuthenticatedApiKey(string userId, string keyId, IReadOnlyList<string> roles, string emailKey)
    {
        UserId = userId;
        KeyId = keyId;
        Roles = roles;
        EmailKey = emailKey;
    }

    public string UserId { get; }

    public string KeyId { get; }

    /// <summary>What the caller may do: the key's scope (for a token, what the token was granted).</summary>
    public IReadOnlyList<string> Roles { get; }

    internal string EmailKey { get; }
}

public enum KeyTokenStatus
{
    Authenticated,
    Invalid,
    Expired,
    Revoked,
}

public sealed record KeyTokenResult(KeyTokenStatus Status, AuthenticatedApiKey? Caller = null);

public enum ClientCredentialsStatus
{
    Issued,
    InvalidClient,
    InvalidScope,
}

/// <summary>An access token for an API key (client_credentials): no refresh token, no session.</summary>
public sealed record ClientToken(string AccessToken, int ExpiresIn, string Scope);

public sealed record ClientCredentialsResult(ClientCredentialsStatus Status, ClientToken? Token = null, string? Description = null);
