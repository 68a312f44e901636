using System.Security.Cryptography;
using System.Text;
using Azure;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Email;
using FuncAuth.Core.Options;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OtpNet;

namespace FuncAuth.Core.Mfa;

/// <summary>
/// TOTP (RFC 6238, Otp.NET: SHA-1, 6 digits, 30 s, one step of skew either way) and recovery codes: enrolment,
/// confirmation, disabling, regeneration, admin reset, and the second step of a sign-in (<c>mfaToken</c>).
/// </summary>
public sealed class MfaService
{
    public const int MaxWrongCodes = 5;
    private static readonly string[] CodeMethods = ["totp", "recovery_code"];
    private static readonly string[] WithPasskey = ["totp", "recovery_code", "passkey"];
    public const int RecoveryCodeCount = 10;
    public static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(5);
    private const int SecretBytes = 20;
    private readonly IOptions<AuthOptions> _options;
    private readonly MfaStore _store;
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly TotpSecretProtector _protector;
    private readonly SignInSessions _signIn;
    private readonly EmailOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger<MfaService> _logger;

    public MfaService(
        IOptions<AuthOptions> options,
        MfaStore store,
        UserStore users,
        SessionStore sessions,
        TotpSecretProtector protector,
        SignInSessions signIn,
        EmailOutbox outbox,
        TimeProvider time,
        ILogger<MfaService> logger,
        Audit.AuditTrail audit,
        Passkeys.PasskeyService passkeys)
    {
        Audit = audit;
        Passkeys = passkeys;
        _options = options;
        _store = store;
        _users = users;
        _sessions = sessions;
        _protector = protector;
        _signIn = signIn;
        _outbox = outbox;
        _time = time;
        _logger = logger;
    }

    /// <summary>The audit trail the second-factor events go to.</summary>
    private Audit.AuditTrail Audit { get; }

    /// <summary>Passkeys: an admin's reset removes them, <c>mfa_required</c> names them.</summary>
    private Passkeys.PasskeyService Passkeys { get; }

    public async Task<MfaStatus> StatusAsync(AuthenticatedSession caller, CancellationToken cancellationToken)
    {
        var row = await RowAsync(caller.UserId, cancellationToken);
        return new MfaStatus(row?.TotpEnabled == true, row?.TotpEnabled == true ? row.TotpCreatedAt : null, row?.RecoveryCodeHashes.Count ?? 0, 0);
    }

    /// <summary>A new pending secret (replacing any pending one); null when TOTP is on already.</summary>
    public async Task<TotpEnrolment?> BeginTotpAsync(AuthenticatedSession caller, string email, CancellationToken cancellationToken)
    {
        var secret = KeyGeneration.GenerateRandomKey(SecretBytes);
        var protectedSecret = await _protector.ProtectAsync(caller.UserId, secret, cancellationToken);
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var row = await RowAsync(caller.UserId, cancellationToken);
            if (row?.TotpEnabled == true)
            {
                return null;
            }

            row ??= new MfaEntity { PartitionKey = caller.UserId };
            row.PendingSecret = protectedSecret;
            if (await SaveAsync(row, cancellationToken))
            {
                var base32 = Base32Encoding.ToString(secret);
                var issuer = _options.Value.TotpIssuer;
                var uri = $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(email)}?secret={base32}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits=6&period=30";
                return new TotpEnrolment(base32, uri);
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// Turns TOTP on with the pending secret when <paramref name="code"/> is its current code: the account's flag, new
    /// recovery codes (returned, shown only here), an email. Null when there is no pending secret or the code is wrong.
    /// </summary>
    public async Task<IReadOnlyList<string>?> ConfirmTotpAsync(AuthenticatedSession caller, string? code, CancellationToken cancellationToken)
    {
        AuditEvent? audit = null;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var row = await RowAsync(caller.UserId, cancellationToken);
            if (row is null || row.TotpEnabled || row.PendingSecret is null
                || await _protector.UnprotectAsync(caller.UserId, row.PendingSecret, cancellationToken) is not { } secret
                || MatchStep(secret, code) is not { } step)
            {
                return null;
            }

            var codes = NewRecoveryCodes(out var hashes);
            row.TotpSecret = row.PendingSecret;
            row.PendingSecret = null;
            row.TotpCreatedAt = _time.GetUtcNow();
            row.LastStep = step;
            row.RecoveryCodes = hashes;
            audit ??= Audit.Event(AuditEventType.TotpEnabled, caller.UserId, sessionId: caller.SessionId);
            await Audit.RecordAsync(audit, cancellationToken);
            if (await SaveAsync(row, cancellationToken))
            {
                var user = await SetTotpFlagAsync(caller.EmailKey, caller.UserId, enabled: true, newStamp: false, cancellationToken);
                MfaLog.TotpEnabled(_logger, caller.UserId);
                await NotifyAsync(EmailKinds.TotpEnabled, user?.Email, cancellationToken);
                return codes;
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>Turns TOTP off: the secret and the recovery codes end, the owner gets an email. False when it was off.</summary>
    public async Task<bool> DisableTotpAsync(AuthenticatedSession caller, CancellationToken cancellationToken)
    {
        var row = await RowAsync(caller.UserId, cancellationToken);
        if (row?.TotpEnabled != true)
        {
            return false;
        }

        await Audit.RecordAsync(AuditEventType.TotpDisabled, caller.UserId, cancellationToken, sessionId: caller.SessionId);
        var user = await SetTotpFlagAsync(caller.EmailKey, caller.UserId, enabled: false, newStamp: false, cancellationToken);
        await _store.DeleteAsync(caller.UserId, cancellationToken);
        MfaLog.TotpDisabled(_logger, caller.UserId);
        await NotifyAsync(EmailKinds.TotpDisabled, user?.Email, cancellationToken);
        return true;
    }

    /// <summary>Ten new recovery codes; the old ones end. Null when TOTP is off.</summary>
    public async Task<IReadOnlyList<string>?> RegenerateRecoveryCodesAsync(AuthenticatedSession caller, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var row = await RowAsync(caller.UserId, cancellationToken);
            if (row?.TotpEnabled != true)
            {
                return null;
            }

            var codes = NewRecoveryCodes(out var hashes);
            row.RecoveryCodes = hashes;
            if (await SaveAsync(row, cancellationToken))
            {
                MfaLog.RecoveryCodesRegenerated(_logger, caller.UserId);
                return codes;
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// An admin's reset: the account's stamp changes first (so no session survives, also one a racing sign-in opens),
    /// then TOTP, recovery codes and passkeys end, every session ends, and the owner gets an email. False for an unknown
    /// user. Its mfa_reset event (actor the admin) is stored first; it stands for the passkeys removed too.
    /// </summary>
    public async Task<bool> ResetAsync(string adminId, string userId, CancellationToken cancellationToken)
    {
        var emailKey = await _users.FindEmailKeyAsync(userId, cancellationToken);
        if (emailKey is null)
        {
            return false;
        }

        await Audit.RecordAsync(AuditEventType.MfaReset, userId, cancellationToken, actor: adminId);
        var user = await SetTotpFlagAsync(emailKey, userId, enabled: false, newStamp: true, cancellationToken);
        if (user is null)
        {
            return false;
        }

        await _store.DeleteAsync(userId, cancellationToken);
        await Passkeys.RemoveAllAsync(userId, cancellationToken);

        var ended = await _sessions.RevokeLiveSessionsAsync(userId, exceptSessionId: null, RevocationReason.MfaReset, _time.GetUtcNow(), cancellationToken);
        MfaLog.MfaReset(_logger, adminId, userId, ended);
        await NotifyAsync(EmailKinds.MfaReset, user.Email, cancellationToken);
        return true;
    }

    /// <summary>
    /// Checks a second-factor code of the user and spends it: a TOTP code's time step is accepted once (replay), a
    /// recovery code is removed, its recovery_code_used event (naming <paramref name="sessionId"/> when the proof is made
    /// inside a session) stored first. False when it does not hold (also when TOTP is off).
    /// </summary>
    public async Task<bool> TryProveAsync(string userId, OneTimeCode code, CancellationToken cancellationToken, string? sessionId = null)
    {
        AuditEvent? used = null;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var row = await RowAsync(userId, cancellationToken);
            if (row?.TotpEnabled != true)
            {
                return false;
            }

            switch (code)
            {
                case OneTimeCode.Totp totp:
                    if (await _protector.UnprotectAsync(userId, row.TotpSecret!, cancellationToken) is not { } secret
                        || MatchStep(secret, totp.Code) is not { } step || step <= row.LastStep)
                    {
                        return false;
                    }

                    row.LastStep = step;
                    break;
                case OneTimeCode.Recovery recovery:
                    var hashes = row.RecoveryCodeHashes;
                    var presented = HashRecoveryCode(recovery.Code);
                    var match = hashes.FirstOrDefault(h => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(h), Encoding.ASCII.GetBytes(presented)));
                    if (match is null)
                    {
                        return false;
                    }

                    row.RecoveryCodes = string.Join(' ', hashes.Where(h => !ReferenceEquals(h, match)));
                    MfaLog.RecoveryCodeUsed(_logger, userId, hashes.Count - 1);
                    used ??= Audit.Event(AuditEventType.RecoveryCodeUsed, userId, sessionId: sessionId,
                        details: new Dictionary<string, string> { ["left"] = (hashes.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    await Audit.RecordAsync(used, cancellationToken);
                    break;
            }

            if (await SaveAsync(row, cancellationToken))
            {
                return true;
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>
    /// The second step of a sign-in whose password was right: a challenge row, and the <c>mfaToken</c> that names it
    /// (user id and a random secret; the row is keyed by the secret's hash), and the methods that can complete it. With
    /// passkeys on, whether the account has one is asked beside the challenge's insert (one small range query more, no
    /// round trip more).
    /// </summary>
    internal async Task<(string MfaToken, IReadOnlyList<string> Methods)> CreateChallengeAsync(UserEntity user, CancellationToken cancellationToken)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var challenge = new MfaChallengeEntity
        {
            PartitionKey = user.UserId,
            RowKey = ChallengeRowKey(secret),
            ExpiresAt = _time.GetUtcNow() + ChallengeLifetime,
            SecurityStamp = user.SecurityStamp,
        };
        var hasPasskey = Passkeys is { IsEnabled: true } ? Passkeys.HasPasskeyAsync(user.UserId, cancellationToken) : Task.FromResult(false);
        await Task.WhenAll(_store.InsertChallengeAsync(challenge, cancellationToken), hasPasskey);
        MfaLog.MfaRequired(_logger, user.UserId);
        return (user.UserId + "." + Base64Url.Encode(secret), hasPasskey.Result ? WithPasskey : CodeMethods);
    }

    /// <summary>
    /// The live sign-in an <c>mfaToken</c> names, or null (unknown, used, expired, dead after 5 wrong codes, or the
    /// account's credentials changed since). Storage: the challenge, the user's row and the account, three point reads.
    /// </summary>
    public async Task<MfaChallenge?> FindChallengeAsync(string? mfaToken, CancellationToken cancellationToken)
    {
        if (ParseToken(mfaToken) is not var (userId, rowKey))
        {
            return null;
        }

        var challenge = await _store.FindChallengeAsync(userId, rowKey, cancellationToken);
        var emailKey = challenge is null ? null : await _users.FindEmailKeyAsync(userId, cancellationToken);
        var user = emailKey is null ? null : await _users.FindByEmailKeyAsync(emailKey, cancellationToken);
        return challenge is null || user is null || user.UserId != userId || !Live(challenge, user) ? null : new MfaChallenge(challenge, user);
    }

    /// <summary>
    /// Answers a live challenge with a code: right, a new session with <c>amr</c> ["pwd","otp","mfa"] (the challenge is
    /// spent); wrong, counted against the challenge (5 end it). The caller runs this under the failed-login limits of
    /// <see cref="MfaChallenge.AccountKey"/> (<see cref="LoginGuard.CheckCredentialAsync{T}"/>), so a wrong code is a failed login.
    /// </summary>
    public Task<MfaVerifyResult> AnswerAsync(MfaChallenge challenge, OneTimeCode code, CancellationToken cancellationToken) =>
        AnswerAsync(challenge.Row, challenge.User, code, cancellationToken);

    private async Task<MfaVerifyResult> AnswerAsync(MfaChallengeEntity challenge, UserEntity user, OneTimeCode code, CancellationToken cancellationToken)
    {
        if (!await TryProveAsync(user.UserId, code, cancellationToken))
        {
            challenge.Failures++;
            MfaLog.MfaFailed(_logger, user.UserId, challenge.Failures);
            await RecordFailedAsync(user.UserId, code, "sign_in", null, cancellationToken);
            if (!await _store.TryRecordFailureAsync(challenge, cancellationToken))
            {
                // Answered or failed by a racing request meanwhile: read it again next time.
                MfaLog.ChallengeRace(_logger, user.UserId);
            }

            return new MfaVerifyResult.CodeInvalid();
        }

        // Single use: only the request that removes it (unchanged since read) signs in.
        if (!await _store.TrySpendChallengeAsync(challenge, cancellationToken))
        {
            return new MfaVerifyResult.TokenInvalid();
        }

        var (tokens, session) = await _signIn.OpenAsync(
            user, AuthMethods.PasswordAndCode, cancellationToken, AuditEventType.MfaSucceeded, new Dictionary<string, string> { ["method"] = MethodOf(code) });
        MfaLog.MfaSucceeded(_logger, user.UserId, session.SessionId, MethodOf(code));
        return new MfaVerifyResult.Succeeded(tokens);
    }

    /// <summary>
    /// Records a wrong second-factor code (mfa_failed): at a sign-in's second step or at re-authentication
    /// (<paramref name="during"/>), with the kind of code; never the code.
    /// </summary>
    internal Task RecordFailedAsync(string userId, OneTimeCode code, string during, string? sessionId, CancellationToken cancellationToken) =>
        Audit.RecordAsync(AuditEventType.MfaFailed, userId, cancellationToken, sessionId: sessionId,
            details: new Dictionary<string, string> { ["method"] = MethodOf(code), ["during"] = during });

    /// <summary>The name of a code's kind, as <c>mfa_required</c>'s methods name it.</summary>
    internal static string MethodOf(OneTimeCode code) => code is OneTimeCode.Recovery ? "recovery_code" : "totp";

    private bool Live(MfaChallengeEntity challenge, UserEntity user) =>
        _time.GetUtcNow() < challenge.ExpiresAt && challenge.Failures < MaxWrongCodes && !user.Disabled
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(challenge.SecurityStamp), Encoding.UTF8.GetBytes(user.SecurityStamp));

    private static (string UserId, string RowKey)? ParseToken(string? token)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot <= 0 || token.Length > 200 || !Ids.IsValid(token[..dot]) || Base64Url.TryDecode(token[(dot + 1)..]) is not { Length: 32 } secret)
        {
            return null;
        }

        return (token[..dot], ChallengeRowKey(secret));
    }

    private static string ChallengeRowKey(byte[] secret) => MfaChallengeEntity.RowPrefix + Base64Url.Encode(SHA256.HashData(secret));

    private long? MatchStep(byte[] secret, string? code) => TotpCode.Match(secret, code, _time.GetUtcNow());

    /// <summary>Ten codes of 60 random bits each (12 base32 characters, shown as xxxx-xxxx-xxxx) and their stored hashes.</summary>
    private static string[] NewRecoveryCodes(out string hashes)
    {
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ =>
        {
            var text = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(8))[..12].ToLowerInvariant();
            return $"{text[..4]}-{text[4..8]}-{text[8..]}";
        }).ToArray();
        hashes = string.Join(' ', codes.Select(HashRecoveryCode));
        return codes;
    }

    /// <summary>A recovery code's stored form: SHA-256 of its characters without separators, lower case. The codes are random (60 bits), so a fast hash suffices.</summary>
    private static string HashRecoveryCode(string code)
    {
        var canonical = new string(code.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        return Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(canonical)));
    }

    private Task<MfaEntity?> RowAsync(string userId, CancellationToken cancellationToken) => _store.FindAsync(userId, cancellationToken);

    private Task<bool> SaveAsync(MfaEntity row, CancellationToken cancellationToken) => _store.TrySaveAsync(row, cancellationToken);

    /// <summary>Sets the account's TOTP flag (and its profile copy, through the store), optionally with a new stamp.</summary>
    private async Task<UserEntity?> SetTotpFlagAsync(string emailKey, string userId, bool enabled, bool newStamp, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var user = await _users.FindByEmailKeyAsync(emailKey, cancellationToken);
            if (user is null || user.UserId != userId)
            {
                return null;
            }

            user.TotpEnabled = enabled;
            if (newStamp)
            {
                user.SecurityStamp = Ids.New();
            }

            if (await _users.TryReplaceAsync(user, cancellationToken))
            {
                return user;
            }
        }

        throw new StorageContentionException();
    }

    private async Task NotifyAsync(string kind, string? email, CancellationToken cancellationToken)
    {
        if (email is null)
        {
            return;
        }

        try
        {
            await _outbox.EnqueueAsync(new OutboxMessage(kind, email), cancellationToken);
        }
        catch (RequestFailedException e)
        {
            // The change is made; the notice is best effort, as the lifecycle's are.
            MfaLog.NoticeNotQueued(_logger, e.Status);
        }
    }
}
