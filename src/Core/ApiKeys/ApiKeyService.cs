using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Options;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.ApiKeys;

/// <summary>
/// API keys for machine clients: created and shown once, stored as a SHA-256 digest, verified with one point read and
/// a constant-time comparison, revoked by deleting the row, and exchanged for access tokens (client_credentials).
/// </summary>
public sealed class ApiKeyService
{
    /// <summary>Live (unexpired) keys a user may hold at once.</summary>
    public const int MaxLiveKeysPerUser = 20;

    private static readonly byte[] DecoyDigest = SHA256.HashData("funcauth/api-key/decoy"u8);
    private static readonly string DecoyKey = new('-', ApiKeyFormat.KeyLength);

    private readonly IOptions<ApiKeyOptions> _options;
    private readonly IOptions<AuthOptions> _authOptions;
    private readonly ApiKeyStore _store;
    private readonly ApiKeyUsage _usage;
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly SigningKeyRing _keys;
    private readonly AccessTokens _accessTokens;
    private readonly TimeProvider _time;
    private readonly ILogger<ApiKeyService> _logger;

    public ApiKeyService(
        IOptions<ApiKeyOptions> options,
        IOptions<AuthOptions> authOptions,
        ApiKeyStore store,
        ApiKeyUsage usage,
        UserStore users,
        SessionStore sessions,
        SigningKeyRing keys,
        AccessTokens accessTokens,
        TimeProvider time,
        ILogger<ApiKeyService> logger,
        AuditTrail audit,
        Email.SecurityEmails securityEmails,
        Diagnostics.AuthMetrics metrics)
    {
        Audit = audit;
        SecurityEmails = securityEmails;
        Metrics = metrics;
        _options = options;
        _authOptions = authOptions;
        _store = store;
        _usage = usage;
        _users = users;
        _sessions = sessions;
        _keys = keys;
        _accessTokens = accessTokens;
        _time = time;
        _logger = logger;
    }

    /// <summary>The audit trail; each operation records its event before its change.</summary>
    private AuditTrail Audit { get; }

    /// <summary>The security notice of a new key; null where email is not registered.</summary>
    private Email.SecurityEmails SecurityEmails { get; }

    /// <summary>
    /// Creates a key for the signed-in caller. The limit of live keys is checked before the insert (the usual refusal)
    /// and again after it: of racing creations, one whose own insert makes more than the limit removes itself, so no
    /// more than <see cref="MaxLiveKeysPerUser"/> keys are ever handed out.
    /// </summary>
    public async Task<CreateApiKeyResult> CreateAsync(
        AuthenticatedSession caller, string? name, int? expiresInDays, string? scope, CancellationToken cancellationToken)
    {
        var errors = ApiKeyValidation.Create(name, expiresInDays, scope, caller.Roles, _options.Value.MaxLifetimeDays, out var roles);
        if (errors.Count > 0)
        {
            return new(CreateApiKeyStatus.Invalid, Errors: errors);
        }

        var now = _time.GetUtcNow();
        if (LiveCount(await _store.ListAsync(caller.UserId, cancellationToken), now) >= MaxLiveKeysPerUser)
        {
            return new(CreateApiKeyStatus.TooMany);
        }

        var (id, key) = ApiKeyFormat.New(caller.UserId);
        var entity = new ApiKeyEntity
        {
            PartitionKey = caller.UserId,
            RowKey = ApiKeyEntity.RowKeyFor(id),
            Name = name!.Trim(),
            Scope = ApiKeyValidation.FormatScope(roles),
            Digest = ApiKeyFormat.Digest(key),
            EmailKey = caller.EmailKey,
            SecurityStamp = caller.SecurityStamp,
            CreatedAt = now,
            ExpiresAt = now.AddDays(expiresInDays ?? _options.Value.DefaultLifetimeDays),
        };
        // The event beside the index entry, before the key exists; the key's id, name and scope, never the key.
        var audit = Audit.Event(AuditEventType.ApiKeyCreated, caller.UserId, sessionId: caller.SessionId,
            details: new Dictionary<string, string> { ["keyId"] = id, ["name"] = entity.Name, ["scope"] = entity.Scope });
        await Task.WhenAll(_store.IndexAsync(id, entity.ExpiresAt, cancellationToken), Audit.RecordAsync(audit, cancellationToken));
        await _store.InsertAsync(entity, cancellationToken);
        if (LiveCount(await _store.ListAsync(caller.UserId, cancellationToken), now) > MaxLiveKeysPerUser)
        {
            await _store.DeleteAsync(id, CancellationToken.None);
            if (audit is not null)
            {
                await Audit!.RetractAsync(audit, CancellationToken.None);
            }

            return new(CreateApiKeyStatus.TooMany);
        }

        ApiKeyLog.Created(_logger, caller.UserId, id, entity.Scope, entity.ExpiresAt);
        if (caller.Account is { } owner)
        {
            await SecurityEmails.NotifyAsync(Email.EmailKinds.ApiKeyCreatedNotice, owner.Email, cancellationToken);
        }
        return new(CreateApiKeyStatus.Created, ToInfo(entity), key);
    }

    /// <summary>The user's live keys, newest first: one query.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        return (await _store.ListAsync(userId, cancellationToken))
            .Where(k => k.ExpiresAt > now)
            .OrderByDescending(k => k.CreatedAt)
            .ThenBy(k => k.RowKey, StringComparer.Ordinal)
            .Select(ToInfo)
            .ToArray();
    }

    /// <summary>An admin's view of any user's live keys; null when there is no such user.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>?> ListForUserAsync(string userId, CancellationToken cancellationToken) =>
        await _users.FindEmailKeyAsync(userId, cancellationToken) is null ? null : await ListAsync(userId, cancellationToken);

    /// <summary>Revokes one key of <paramref name="userId"/>, effective at once; false when the user has no such key.</summary>
    public async Task<bool> RevokeAsync(string actorId, string userId, string keyId, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsValidId(keyId) || ApiKeyFormat.OwnerOf(keyId) != userId)
        {
            return false;
        }

        // Before the delete, which is the only read: when it finds no key, the event is taken back.
        var audit = Audit.Event(AuditEventType.ApiKeyRevoked, userId, actor: actorId, details: new Dictionary<string, string> { ["keyId"] = keyId });
        await Audit.RecordAsync(audit, cancellationToken);
        if (!await _store.DeleteAsync(keyId, cancellationToken))
        {
            if (audit is not null)
            {
                await Audit!.RetractAsync(audit, cancellationToken);
            }

            return false;
        }

        ApiKeyLog.Revoked(_logger, keyId, userId, actorId);
        return true;
    }

    /// <summary>
    /// Revokes every key of the user, effective at once for the keys and for the access tokens issued to them. For
    /// account deletion and disabling. Idempotent: after a failure, call it again. Returns how many keys there were.
    /// </summary>
    public async Task<int> RevokeAllForUserAsync(string userId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(userId))
        {
            return 0;
        }

        var count = await _store.DeleteAllAsync(userId, cancellationToken);
        ApiKeyLog.RevokedAll(_logger, userId, count);
        return count;
    }

    /// <summary>
    /// Checks a key sent as <c>X-API-Key</c>; null for an unknown, malformed, revoked, expired or wrong key alike. Every
    /// presented key costs the same: one point read, one SHA-256 and one constant-time comparison.
    /// </summary>
    public async Task<AuthenticatedApiKey?> VerifyAsync(string? presented, CancellationToken cancellationToken)
    {
        if (await VerifyEntityAsync(presented, cancellationToken) is not var (key, _))
        {
            return null;
        }

        _usage.Record(key);
        return new AuthenticatedApiKey(key.PartitionKey, key.KeyId, key.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries), key.EmailKey);
    }

    /// <summary>The owner's account as it is now (one point read).</summary>
    public async Task<UserAccount?> GetOwnerAsync(AuthenticatedApiKey caller, CancellationToken cancellationToken) =>
        (await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken))?.ToAccount();

    /// <summary>
    /// Authenticates an access token that was issued to an API key: no <c>sid</c>, <c>client_id</c> = a key id. Null
    /// when the token is not of that shape, so the caller treats it as a session token. The key is read (one point
    /// read) on every use, so revoking or expiring it ends its tokens at FuncAuth's own endpoints at once.
    /// </summary>
    public async Task<KeyTokenResult?> AuthenticateTokenAsync(string? accessToken, CancellationToken cancellationToken)
    {
        if (!LooksLikeKeyToken(accessToken))
        {
            return null;
        }

        var check = await _accessTokens.ValidateAsync(accessToken!, cancellationToken);
        if (check.Status != AccessTokenStatus.Valid)
        {
            return new(check.Status == AccessTokenStatus.Expired ? KeyTokenStatus.Expired : KeyTokenStatus.Invalid);
        }

        return await AuthenticateTokenAsync(check.Claims!, cancellationToken);
    }

    /// <summary>
    /// The key check of <see cref="AuthenticateTokenAsync(string?, CancellationToken)"/> for a token already validated
    /// (<see cref="AccessTokens.ValidateAsync"/>): issued to a key of its subject (no <c>sid</c>), and that key still live.
    /// </summary>
    public async Task<KeyTokenResult> AuthenticateTokenAsync(AccessTokenClaims claims, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (claims.SessionId.Length != 0 || !ApiKeyFormat.IsValidId(claims.ClientId) || ApiKeyFormat.OwnerOf(claims.ClientId!) != claims.Subject)
        {
            return new(KeyTokenStatus.Invalid);
        }

        var (key, owner) = await _store.GetWithOwnerAsync(claims.ClientId, cancellationToken);
        if (key is null || _time.GetUtcNow() >= key.ExpiresAt || await StandingOwnerAsync(key, owner, cancellationToken) is null)
        {
            return new(KeyTokenStatus.Revoked);
        }

        var scope = key.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var roles = claims.Roles.Where(r => scope.Contains(r, StringComparer.Ordinal)).ToArray();
        return new(KeyTokenStatus.Authenticated, new AuthenticatedApiKey(key.PartitionKey, key.KeyId, roles, key.EmailKey));
    }

    /// <summary>
    /// The client_credentials grant (RFC 6749 §4.4): <paramref name="clientId"/> is the key id and
    /// <paramref name="clientSecret"/> the whole key. The token's roles are the requested scope (default: the key's),
    /// which must lie within the key's scope, narrowed to the roles the owner holds now, so demoting the owner narrows
    /// every token issued afterwards. No refresh token and no session: the client presents its key again.
    /// </summary>
    public async Task<ClientCredentialsResult> IssueClientTokenAsync(string? clientId, string? clientSecret, string? scope, CancellationToken cancellationToken)
    {
        if (await VerifyEntityAsync(clientSecret, cancellationToken) is not var (key, owner) || !string.Equals(clientId, key.KeyId, StringComparison.Ordinal))
        {
            return new(ClientCredentialsStatus.InvalidClient, Description: "Client authentication failed.");
        }

        var keyScope = key.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var requested = string.IsNullOrWhiteSpace(scope) ? keyScope : ApiKeyValidation.ParseScope(scope);
        if (requested is null || requested.Any(r => !keyScope.Contains(r, StringComparer.Ordinal)))
        {
            return new(ClientCredentialsStatus.InvalidScope, Description: "The requested scope exceeds the key's scope.");
        }

        // The owner's roles as they are now: the profile copy read with the key.
        var account = owner.ToAccount();
        var granted = Roles.Canonical(requested.Intersect(account.Roles, StringComparer.Ordinal));
        if (granted.Count == 0)
        {
            return new(ClientCredentialsStatus.InvalidScope, Description: "The key's owner no longer holds any of the requested roles.");
        }

        _usage.Record(key);
        var signing = await _keys.GetAsync(cancellationToken);
        var now = _time.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        // Never outlives the key.
        var expiresAt = Min(now + _authOptions.Value.AccessTokenLifetime, key.ExpiresAt);
        var grantedScope = ApiKeyValidation.FormatScope(granted);
        var token = _accessTokens.IssueForClient(account, key.KeyId, granted, Ids.New(), now, expiresAt, signing.Current);
        ApiKeyLog.TokenIssued(_logger, key.KeyId, key.PartitionKey, grantedScope);
        return new(ClientCredentialsStatus.Issued, new ClientToken(token, Math.Max(1, (int)Math.Ceiling((expiresAt - now).TotalSeconds)), grantedScope));
    }

    /// <summary>Counters of the auth events.</summary>
    private Diagnostics.AuthMetrics Metrics { get; }

    /// <summary>The key and its owner's profile when the key is right, live and its owner's account stands (docs/api.md).</summary>
    private async Task<(ApiKeyEntity Key, UserRefEntity Owner)?> VerifyEntityAsync(string? presented, CancellationToken cancellationToken)
    {
        var keyId = ApiKeyFormat.TryParseId(presented);
        var (key, ownerRow) = await _store.GetWithOwnerAsync(keyId, cancellationToken);
        // The same work whichever way this ends: hash a key of the issued length and compare with a digest of the same
        // length. Only the result differs.
        var digest = ApiKeyFormat.Digest(presented is { Length: ApiKeyFormat.KeyLength } ? presented : DecoyKey);
        var matches = CryptographicOperations.FixedTimeEquals(digest, key?.Digest is { Length: 32 } stored ? stored : DecoyDigest);
        var live = key is not null && _time.GetUtcNow() < key.ExpiresAt;
        var owner = keyId is null || !matches || !live ? null : await StandingOwnerAsync(key!, ownerRow, cancellationToken);
        Metrics.ApiKeyAuthenticated(accepted: owner is not null);
        if (owner is null)
        {
            ApiKeyLog.Refused(_logger);
            return null;
        }

        return (key!, owner);
    }

    /// <summary>
    /// The owner's profile when the account is enabled and its security stamp is still the one the key was created
    /// under; null otherwise. The owner's row came with the key; only a row stored before the profile copy (or its stamp)
    /// existed costs one point read of the account.
    /// </summary>
    private async Task<UserRefEntity?> StandingOwnerAsync(ApiKeyEntity key, UserRefEntity? ownerRow, CancellationToken cancellationToken)
    {
        var owner = ownerRow is null || ownerRow.HasProfile ? ownerRow
            : await _users.FindAndFillCopyAsync(ownerRow, cancellationToken) is { } user && user.UserId == ownerRow.PartitionKey ? UserRefEntity.Of(user) : null;
        if (owner is not null && owner.Admits(key.SecurityStamp))
        {
            return owner;
        }

        Diagnostics.CredentialLog.ApiKeyStale(_logger, key.PartitionKey, key.KeyId);
        return null;
    }

    private static int LiveCount(IEnumerable<ApiKeyEntity> keys, DateTimeOffset now) => keys.Count(k => k.ExpiresAt > now);

    private static ApiKeyInfo ToInfo(ApiKeyEntity key) => new(key.KeyId, key.Name, key.Scope, key.CreatedAt, key.ExpiresAt, key.LastUsedAt);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>
    /// Whether an (unvalidated) JWT has the shape of a key token: no <c>sid</c> and a key id as <c>client_id</c>. Only
    /// routes the token; the chosen path validates it in full.
    /// </summary>
    /// <summary>
    /// Whether a token has the shape of one issued to an API key (no <c>sid</c>, <c>client_id</c> a key id), read from
    /// its payload without validating it: only which check a token goes to, never whether it is accepted.
    /// </summary>
    public static bool LooksLikeKeyToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 8 * 1024)
        {
            return false;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || Base64Url.TryDecode(parts[1]) is not { } payload)
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && !json.RootElement.TryGetProperty("sid", out _)
                && json.RootElement.TryGetProperty("client_id", out var clientId)
                && clientId.ValueKind == JsonValueKind.String
                && ApiKeyFormat.IsValidId(clientId.GetString());
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
