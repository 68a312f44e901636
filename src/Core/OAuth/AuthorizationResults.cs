using FuncAuth.Core.Sessions;

namespace FuncAuth.Core.OAuth;

/// <summary>What an authorization request asks, as <c>GET /oauth/authorize</c> read and checked it.</summary>
public sealed record AuthorizationRequest(
    OAuthClient Client, string RedirectUri, string CodeChallenge, string? State, IReadOnlyList<string> Scopes, string? Nonce);

/// <summary>A request waiting for the user, as the sign-in page shows it.</summary>
public sealed record PendingAuthorization(string ClientId, string ClientName, bool FirstParty, IReadOnlyList<string> Scopes);

/// <summary>The answer to the user's decision: where the browser goes next.</summary>
public abstract record CompletionResult
{
    private CompletionResult()
    {
    }

    /// <summary>The client's redirect URI with <c>code</c> (or <c>error=access_denied</c>), <c>state</c> and <c>iss</c>.</summary>
    public sealed record Redirect(string RedirectTo) : CompletionResult;

    /// <summary>Unknown, expired, already completed, or its client is no longer registered.</summary>
    public sealed record RequestInvalid : CompletionResult;
}

/// <summary>The outcome of <c>grant_type=authorization_code</c>.</summary>
public abstract record RedemptionResult
{
    private RedemptionResult()
    {
    }

    /// <summary>A new session's tokens, with an <c>id_token</c> when the scope had <c>openid</c>.</summary>
    public sealed record Issued(IssuedTokens Tokens, string? IdToken, string Scope) : RedemptionResult;

    /// <summary>No client registered with that id (401 <c>invalid_client</c>).</summary>
    public sealed record UnknownClient : RedemptionResult;

    /// <summary><c>invalid_grant</c>, with what to say.</summary>
    public sealed record Refused(string Description) : RedemptionResult;
}
