using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Azure;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Fido2NetLib.Serialization;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Email;
using FuncAuth.Core.Options;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Passkeys;

/// <summary>
/// Passkeys (WebAuthn Level 3) through Fido2: creation and request options, registration, assertion, list and removal.
/// Every check the specification asks of the server (type, challenge, origin, RP id hash, user present and verified,
/// algorithm, signature, counter) is Fido2's; this class supplies the challenge, the stored credential, and the rules of
/// the contract (one user per credential, at most <see cref="MaxPerUser"/> per user, single-use challenges).
/// </summary>
public sealed class PasskeyService
{
    public const int MaxPerUser = 20;
    public const int NameMaxLength = 100;
    public static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(5);

    private static readonly IReadOnlyList<PubKeyCredParam> Algorithms = [PubKeyCredParam.ES256, PubKeyCredParam.RS256];

    private readonly IOptions<WebAuthnOptions> _options;
    private readonly PasskeyStore _store;
    private readonly SigningKeyRing _keys;
    private readonly EmailOutbox? _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger<PasskeyService> _logger;
    private readonly Lazy<(Fido2 Fido, Fido2Configuration Config)> _fido;

    public PasskeyService(
        IOptions<WebAuthnOptions> options,
        PasskeyStore store,
        SigningKeyRing keys,
        EmailOutbox? outbox,
        TimeProvider time,
        ILogger<PasskeyService> logger,
        UserStore users,
        SignInSessions signIn,
        IOptions<AuthOptions> auth,
        Audit.AuditTrail audit)
    {
        Users = users;
        SignIn = signIn;
        Auth = auth;
        Audit = audit;
        _options = options;
        _store = store;
        _keys = keys;
        _outbox = outbox;
        _time = time;
        _logger = logger;
        _fido = new(() =>
        {
            var o = _options.Value;
            var config = new Fido2Configuration
            {
                RPID = o.RpId!,
                RPName = o.RpName,
                Origins = o.OriginList.ToHashSet(StringComparer.Ordinal),
                Timeout = (uint)ChallengeLifetime.TotalMilliseconds,
            };
            return (new Fido2(config), config);
        });
    }

    public bool IsEnabled => _options.Value.IsEnabled;

    /// <summary>What a sign-in needs beyond the passkeys: the accounts and the session opener.</summary>
    private UserStore Users { get; }

    private SignInSessions SignIn { get; }

    private IOptions<AuthOptions> Auth { get; }

    /// <summary>The audit trail passkey_added, passkey_used and passkey_deleted go to.</summary>
    private Audit.AuditTrail Audit { get; }

    /// <summary>
    /// Signs in with a passkey: <see cref="VerifySignInAsync"/>, then one point read of the account (enabled, verified
    /// where required, the stamp the session records), then the session's own writes (<see cref="SignInSessions"/>).
    /// </summary>
    public async Task<PasskeySignInResult> SignInAsync(string? challengeId, JsonElement? credential, CancellationToken cancellationToken)
    {
        var proof = await VerifySignInAsync(challengeId, credential, cancellationToken);
        if (proof is null)
        {
            return new PasskeySignInResult.Invalid();
        }

        var user = await Users.FindByEmailKeyAsync(proof.Owner.EmailKey, cancellationToken);
        if (user is null || user.UserId != proof.UserId)
        {
            return new PasskeySignInResult.Invalid();
        }

        // Told apart only after the passkey proved the user, as login does after the right password.
        if (user.Disabled)
        {
            return new PasskeySignInResult.AccountDisabled();
        }

        if (Auth.Value.RequireEmailVerification && !user.EmailVerified)
        {
            return new PasskeySignInResult.EmailNotVerified();
        }

        var (tokens, session) = await SignIn.OpenAsync(
            user, [AuthMethods.HardwareKey, AuthMethods.MultiFactor], cancellationToken, FuncAuth.Core.Audit.AuditEventType.PasskeyUsed,
            new Dictionary<string, string> { ["passkeyId"] = proof.PasskeyId });
        PasskeyLog.SignedIn(_logger, user.UserId, session.SessionId, proof.PasskeyId);
        return new PasskeySignInResult.Succeeded(tokens);
    }

    /// <summary>Creation options for a new passkey of the caller: <c>PublicKeyCredentialCreationOptionsJSON</c>.</summary>
    public async Task<JsonObject> RegistrationOptionsAsync(AuthenticatedSession caller, UserAccount account, CancellationToken cancellationToken)
    {
        var passkeys = await _store.ListAsync(caller.UserId, cancellationToken);
        // One handle per user while the user has passkeys, so an authenticator keeps one passkey per account; random, so
        // it says nothing about the account (WebAuthn §14.6.1).
        var handle = passkeys.Select(p => p.UserHandle).FirstOrDefault(h => h.Length == PasskeyChallenges.UserHandleLength)
            ?? RandomNumberGenerator.GetBytes(PasskeyChallenges.UserHandleLength);
        var keys = await _keys.GetAsync(cancellationToken);
        var challenge = PasskeyChallenges.Create(ChallengePurpose.Register, _time.GetUtcNow() + ChallengeLifetime, handle, BoundTo(caller), keys.Current);
        var options = CreationOptions(challenge, handle, account, passkeys);
        return JsonSerializer.SerializeToNode(options, FidoModelSerializerContext.Default.CredentialCreateOptions)!.AsObject();
    }

    /// <summary>Verifies a RegistrationResponseJSON against the caller's challenge and stores the passkey.</summary>
    public async Task<RegisterPasskeyResult> RegisterAsync(
        AuthenticatedSession caller, UserAccount account, JsonElement? credential, string? name, CancellationToken cancellationToken)
    {
        name = string.IsNullOrWhiteSpace(name) ? "Passkey" : name.Trim();
        if (name.Length > NameMaxLength || !TextRules.IsWellFormed(name))
        {
            return new(RegisterPasskeyStatus.NameInvalid, Errors: new Dictionary<string, string[]>
            {
                ["name"] = [$"Name must be at most {NameMaxLength} characters, without control characters."],
            });
        }

        var response = Parse(credential, PasskeyJsonContext.Default.AuthenticatorAttestationRawResponse);
        var parts = response is null ? null : await CheckChallengeAsync(ChallengeBytes(response.Response?.ClientDataJson), ChallengePurpose.Register, BoundTo(caller), cancellationToken);
        if (response is null || parts is null)
        {
            PasskeyLog.Refused(_logger, "registration", "challenge");
            return new(RegisterPasskeyStatus.Invalid);
        }

        var passkeys = await _store.ListAsync(caller.UserId, cancellationToken);
        if (passkeys.Count >= MaxPerUser)
        {
            return new(RegisterPasskeyStatus.TooMany);
        }

        RegisteredPublicKeyCredential registered;
        try
        {
            var (fido, _) = _fido.Value;
            registered = await fido.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = CreationOptions(ChallengeBytes(response.Response!.ClientDataJson)!, parts.UserHandle, account, passkeys),
                // Uniqueness across users is the index insert below, the arbiter of racing registrations.
                IsCredentialIdUniqueToUserCallback = (_, _) => Task.FromResult(true),
            }, cancellationToken);
        }
        catch (Exception e) when (IsVerificationFailure(e))
        {
            PasskeyLog.Refused(_logger, "registration", e.GetType().Name);
            return new(RegisterPasskeyStatus.Invalid);
        }

        if (!await _store.TrySpendChallengeAsync(parts.Nonce, parts.ExpiresAt, cancellationToken))
        {
            PasskeyLog.Refused(_logger, "registration", "challenge_spent");
            return new(RegisterPasskeyStatus.Invalid);
        }

        var id = PasskeyStore.IdOf(registered.Id);
        if (!await _store.TryIndexAsync(id, caller.UserId, cancellationToken))
        {
            PasskeyLog.Refused(_logger, "registration", "credential_taken");
            return new(RegisterPasskeyStatus.Invalid);
        }

        var passkey = new PasskeyEntity
        {
            PartitionKey = caller.UserId,
            RowKey = PasskeyEntity.RowKeyFor(id),
            Name = name,
            CredentialId = registered.Id,
            PublicKey = registered.PublicKey,
            UserHandle = parts.UserHandle,
            SignCount = registered.SignCount,
            Transports = JsonSerializer.Serialize(registered.Transports ?? [], PasskeyJsonContext.Default.AuthenticatorTransportArray),
            BackupEligible = registered.IsBackupEligible,
            BackedUp = registered.IsBackedUp,
            CreatedAt = _time.GetUtcNow(),
        };
        // The event before the passkey; retracted when the passkey is not kept (taken, or over the limit).
        var added = Audit.Event(FuncAuth.Core.Audit.AuditEventType.PasskeyAdded, caller.UserId, sessionId: caller.SessionId,
            details: new Dictionary<string, string> { ["passkeyId"] = id, ["name"] = passkey.Name });
        await Audit.RecordAsync(added, cancellationToken);
        try
        {
            await _store.InsertAsync(passkey, cancellationToken);
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            await RetractAsync(added);
            return new(RegisterPasskeyStatus.Invalid);
        }

        // Counted again after the insert: of registrations racing at the limit, one whose own insert went over it
        // removes itself, so a user never holds more than MaxPerUser.
        if ((await _store.ListAsync(caller.UserId, cancellationToken)).Count > MaxPerUser)
        {
            await _store.DeleteAsync(caller.UserId, id, CancellationToken.None);
            await RetractAsync(added);
            return new(RegisterPasskeyStatus.TooMany);
        }

        PasskeyLog.Added(_logger, caller.UserId, id);
        await NotifyOwnerAsync(account.Email, cancellationToken);
        return new(RegisterPasskeyStatus.Created, ToInfo(passkey));
    }

    /// <summary>Request options for a discoverable credential (no user named): <c>PublicKeyCredentialRequestOptionsJSON</c> plus <c>challengeId</c>.</summary>
    public async Task<JsonObject> SignInOptionsAsync(CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken);
        var challenge = PasskeyChallenges.Create(ChallengePurpose.SignIn, _time.GetUtcNow() + ChallengeLifetime, null, "", keys.Current);
        var options = RequestOptions(challenge, []);
        var json = JsonSerializer.SerializeToNode(options, FidoModelSerializerContext.Default.AssertionOptions)!.AsObject();
        json["challengeId"] = Base64Url.Encode(challenge);
        return json;
    }

    /// <summary>Request options for re-authenticating the caller's session with one of the caller's passkeys.</summary>
    public async Task<JsonObject> ReauthenticationOptionsAsync(AuthenticatedSession caller, CancellationToken cancellationToken)
    {
        var passkeys = await _store.ListAsync(caller.UserId, cancellationToken);
        var keys = await _keys.GetAsync(cancellationToken);
        var challenge = PasskeyChallenges.Create(ChallengePurpose.Reauthenticate, _time.GetUtcNow() + ChallengeLifetime, null, BoundTo(caller), keys.Current);
        var options = RequestOptions(challenge, passkeys.Select(Descriptor).ToList());
        return JsonSerializer.SerializeToNode(options, FidoModelSerializerContext.Default.AssertionOptions)!.AsObject();
    }

    /// <summary>
    /// Verifies a passkey sign-in: the challenge named by <paramref name="challengeId"/>, then the assertion against the
    /// stored credential. Null for every failure alike (unknown credential, bad signature, wrong origin or RP id, used or
    /// expired challenge, no user verification). Storage: 1 insert (challenge spent), 1 point read (index), 1 partition
    /// query (passkey and owner), 1 merge (counter and lastUsedAt).
    /// </summary>
    public async Task<PasskeyProof?> VerifySignInAsync(string? challengeId, JsonElement? credential, CancellationToken cancellationToken)
    {
        var response = Parse(credential, FidoModelSerializerContext.Default.AuthenticatorAssertionRawResponse);
        var challenge = challengeId is { Length: <= 512 } ? Base64Url.TryDecode(challengeId) : null;
        var parts = response is null || challenge is null ? null : await CheckChallengeAsync(challenge, ChallengePurpose.SignIn, "", cancellationToken);
        return parts is null ? Refused("sign_in", "challenge") : await VerifyAssertionAsync(response!, challenge!, parts, expectedUserId: null, cancellationToken);
    }

    /// <summary>
    /// Verifies a step-up assertion in session <paramref name="sessionId"/> of <paramref name="userId"/> with one of the
    /// user's passkeys (the challenge comes from the signed client data, and must have been issued to that session).
    /// </summary>
    public async Task<PasskeyProof?> VerifyReauthenticationAsync(string userId, string sessionId, JsonElement? credential, CancellationToken cancellationToken)
    {
        var response = Parse(credential, FidoModelSerializerContext.Default.AuthenticatorAssertionRawResponse);
        var challenge = ChallengeBytes(response?.Response?.ClientDataJson);
        var parts = challenge is null ? null : await CheckChallengeAsync(challenge, ChallengePurpose.Reauthenticate, BoundTo(userId, sessionId), cancellationToken);
        return parts is null ? Refused("reauthentication", "challenge") : await VerifyAssertionAsync(response!, challenge!, parts, userId, cancellationToken);
    }

    public async Task<IReadOnlyList<PasskeyInfo>> ListAsync(string userId, CancellationToken cancellationToken) =>
        (await _store.ListAsync(userId, cancellationToken)).OrderByDescending(p => p.CreatedAt).Select(ToInfo).ToList();

    /// <summary>
    /// Removes one of the user's passkeys (its passkey_deleted event first, naming <paramref name="sessionId"/>); false
    /// when the user has none with that id.
    /// </summary>
    public async Task<bool> DeleteAsync(string userId, string? id, CancellationToken cancellationToken, string? sessionId = null)
    {
        if (!PasskeyStore.IsValidId(id))
        {
            return false;
        }

        var deleted = Audit.Event(FuncAuth.Core.Audit.AuditEventType.PasskeyDeleted, userId, sessionId: sessionId,
            details: new Dictionary<string, string> { ["passkeyId"] = id! });
        await Audit.RecordAsync(deleted, cancellationToken);
        if (!await _store.DeleteAsync(userId, id!, cancellationToken))
        {
            await RetractAsync(deleted);
            return false;
        }

        PasskeyLog.Deleted(_logger, userId, id!);
        return true;
    }

    private Task RetractAsync(FuncAuth.Core.Audit.AuditEvent? e) =>
        e is null ? Task.CompletedTask : Audit.RetractAsync(e, CancellationToken.None);

    /// <summary>Whether the user has a passkey (one small range query): for <c>mfa_required</c>'s <c>passkey</c> method.</summary>
    public Task<bool> HasPasskeyAsync(string userId, CancellationToken cancellationToken) => _store.AnyAsync(userId, cancellationToken);

    /// <summary>Removes every passkey of the user, index entries first (for an admin's MFA reset). Idempotent; returns how many.</summary>
    public async Task<int> RemoveAllAsync(string userId, CancellationToken cancellationToken)
    {
        var passkeys = await _store.ListAsync(userId, cancellationToken);
        foreach (var passkey in passkeys)
        {
            await _store.DeleteAsync(userId, passkey.Id, cancellationToken);
        }

        if (passkeys.Count > 0)
        {
            PasskeyLog.RemovedAll(_logger, userId, passkeys.Count);
        }

        return passkeys.Count;
    }

    private async Task<PasskeyProof?> VerifyAssertionAsync(
        AuthenticatorAssertionRawResponse response, byte[] challenge, ChallengeParts parts, string? expectedUserId, CancellationToken cancellationToken)
    {
        if (!await _store.TrySpendChallengeAsync(parts.Nonce, parts.ExpiresAt, cancellationToken))
        {
            return Refused(parts.Purpose, "challenge_spent");
        }

        if (response.RawId is not { Length: > 0 and <= 1023 } credentialId)
        {
            return Refused(parts.Purpose, "credential");
        }

        var id = PasskeyStore.IdOf(credentialId);
        var userId = await _store.OwnerOfAsync(id, cancellationToken);
        if (userId is null || (expectedUserId is not null && userId != expectedUserId))
        {
            return Refused(parts.Purpose, "unknown_credential");
        }

        var (passkey, owner) = await _store.GetWithOwnerAsync(userId, id, cancellationToken);
        if (passkey is null || owner is null || !CryptographicOperations.FixedTimeEquals(passkey.CredentialId, credentialId))
        {
            return Refused(parts.Purpose, "unknown_credential");
        }

        VerifyAssertionResult result;
        try
        {
            var (fido, _) = _fido.Value;
            result = await fido.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = RequestOptions(challenge, []),
                StoredPublicKey = passkey.PublicKey,
                StoredSignatureCounter = (uint)passkey.SignCount,
                // A discoverable credential returns the handle it was created with: it must be this passkey's.
                IsUserHandleOwnerOfCredentialIdCallback = (p, _) => Task.FromResult(
                    p.UserHandle is null || CryptographicOperations.FixedTimeEquals(p.UserHandle, passkey.UserHandle)),
            }, cancellationToken);
        }
        catch (Exception e) when (IsVerificationFailure(e))
        {
            return Refused(parts.Purpose, e.GetType().Name);
        }

        // The sign-in stands whether or not this bookkeeping wins a race with another use of the same passkey.
        _ = await _store.TryTouchAsync(passkey, result.SignCount, result.IsBackedUp, _time.GetUtcNow(), cancellationToken);
        PasskeyLog.Used(_logger, userId, id);
        return new PasskeyProof(userId, id, owner.ToAccount()) { Owner = owner };
    }

    private async Task<ChallengeParts?> CheckChallengeAsync(byte[]? challenge, ChallengePurpose purpose, string boundTo, CancellationToken cancellationToken)
    {
        if (challenge is null || PasskeyChallenges.KeyIdOf(challenge) is not { } keyId)
        {
            return null;
        }

        var keys = await _keys.GetAsync(cancellationToken);
        var key = keys.Find(keyId);
        if (key is null)
        {
            keys = await _keys.GetWithKeyAsync(keyId, cancellationToken);
            key = keys.Find(keyId);
        }

        return PasskeyChallenges.Check(challenge, purpose, boundTo, key, _time.GetUtcNow());
    }

    private PasskeyProof? Refused(ChallengePurpose purpose, string reason) =>
        Refused(purpose == ChallengePurpose.SignIn ? "sign_in" : "reauthentication", reason);

    private PasskeyProof? Refused(string step, string reason)
    {
        PasskeyLog.Refused(_logger, step, reason);
        return null;
    }

    private CredentialCreateOptions CreationOptions(byte[] challenge, byte[] handle, UserAccount account, IEnumerable<PasskeyEntity> existing)
    {
        var (_, config) = _fido.Value;
        var options = CredentialCreateOptions.Create(
            config,
            challenge,
            new Fido2User { Id = handle, Name = account.Email, DisplayName = string.IsNullOrWhiteSpace(account.Name) ? account.Email : account.Name },
            new AuthenticatorSelection { ResidentKey = ResidentKeyRequirement.Required, UserVerification = UserVerificationRequirement.Required },
            AttestationConveyancePreference.None,
            existing.Select(Descriptor).ToList(),
            null,
            Algorithms);
        options.Timeout = config.Timeout;
        return options;
    }

    private AssertionOptions RequestOptions(byte[] challenge, IReadOnlyList<PublicKeyCredentialDescriptor> allowed)
    {
        var (_, config) = _fido.Value;
        return AssertionOptions.Create(config, challenge, allowed, UserVerificationRequirement.Required, null);
    }

    private static PublicKeyCredentialDescriptor Descriptor(PasskeyEntity passkey)
    {
        AuthenticatorTransport[]? transports = null;
        try
        {
            transports = passkey.Transports.Length > 0 ? JsonSerializer.Deserialize(passkey.Transports, PasskeyJsonContext.Default.AuthenticatorTransportArray) : null;
        }
        catch (JsonException)
        {
        }

        return new PublicKeyCredentialDescriptor(PublicKeyCredentialType.PublicKey, passkey.CredentialId, transports is { Length: > 0 } ? transports : null);
    }

    private async Task NotifyOwnerAsync(string email, CancellationToken cancellationToken)
    {
        if (_outbox is null)
        {
            return;
        }

        try
        {
            await _outbox.EnqueueAsync(new OutboxMessage(EmailKinds.PasskeyAdded, email), cancellationToken);
        }
        catch (RequestFailedException e)
        {
            // The passkey is stored; the notice is lost rather than the request failed after the fact.
            PasskeyLog.NoticeNotQueued(_logger, e.GetType().Name);
        }
    }

    private static T? Parse<T>(JsonElement? credential, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (credential is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        try
        {
            return element.Deserialize(type);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The challenge the client data carries (what the authenticator signed), or null.</summary>
    private static byte[]? ChallengeBytes(byte[]? clientDataJson)
    {
        if (clientDataJson is not { Length: > 0 and <= 4096 })
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(clientDataJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("challenge", out var challenge) && challenge.ValueKind == JsonValueKind.String
                    ? Base64Url.TryDecode(challenge.GetString()!)
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What the library throws for a credential that fails a check or cannot be read; never storage or cancellation.</summary>
    private static bool IsVerificationFailure(Exception e) =>
        e is not (RequestFailedException or OperationCanceledException or OutOfMemoryException or StorageContentionException);

    private static string BoundTo(AuthenticatedSession caller) => BoundTo(caller.UserId, caller.SessionId);

    private static string BoundTo(string userId, string sessionId) => userId + "\n" + sessionId;

    private static PasskeyInfo ToInfo(PasskeyEntity passkey) => new(passkey.Id, passkey.Name, passkey.CreatedAt, passkey.LastUsedAt);
}
