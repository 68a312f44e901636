using System.Diagnostics;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// Re-authentication of a signed-in session (<c>POST /api/auth/reauthenticate</c>): checks the proof, then records it in
/// the same session (<see cref="SessionIssuer.Reauthenticated"/>). Storage: one point read of the account, one point read
/// of the session and its conditional replace (the failed-login counters are the caller's, <see cref="Abuse.LoginGuard"/>).
/// </summary>
public sealed class Reauthentication
{
    private readonly PasswordHashing _passwords;
    private readonly SigningKeyRing _keys;
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly SessionIssuer _issuer;
    private readonly TimeProvider _time;
    private readonly ILogger<Reauthentication> _logger;

    public Reauthentication(
        PasswordHashing passwords,
        SigningKeyRing keys,
        UserStore users,
        SessionStore sessions,
        SessionIssuer issuer,
        TimeProvider time,
        ILogger<Reauthentication> logger,
        Mfa.MfaService mfa,
        Audit.AuditTrail audit,
        Passkeys.PasskeyService passkeys)
    {
        Mfa = mfa;
        Audit = audit;
        Passkeys = passkeys;
        _passwords = passwords;
        _keys = keys;
        _users = users;
        _sessions = sessions;
        _issuer = issuer;
        _time = time;
        _logger = logger;
    }

    /// <summary>Second factors.</summary>
    private Mfa.MfaService Mfa { get; }

    /// <summary>The audit trail reauthenticated goes to (and mfa_failed, for a wrong code).</summary>
    private Audit.AuditTrail Audit { get; }

    public async Task<ReauthenticationResult> ReauthenticateAsync(AuthenticatedSession caller, Proof proof, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken);
        var user = await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken);
        if (user is null || user.UserId != caller.UserId)
        {
            return new ReauthenticationResult.SessionEnded();
        }

        var methods = await CheckAsync(user, caller.SessionId, proof, cancellationToken);
        if (methods is null)
        {
            StepUpLog.ReauthenticationFailed(_logger, caller.UserId, caller.SessionId, KindOf(proof));
            if (proof is Proof.SecondFactor wrong)
            {
                await Mfa.RecordFailedAsync(caller.UserId, wrong.Code, "reauthentication", caller.SessionId, cancellationToken);
            }

            return new ReauthenticationResult.Refused(proof);
        }

        // Made once, stored before each try of the session's replace (stored once, by its keys).
        var audit = Audit.Event(FuncAuth.Core.Audit.AuditEventType.Reauthenticated, caller.UserId, sessionId: caller.SessionId,
            details: new Dictionary<string, string> { ["kind"] = KindOf(proof) });
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var session = await _sessions.GetAsync(caller.UserId, caller.SessionId, cancellationToken);
            if (session is null || session.Revoked || _time.GetUtcNow() >= session.ExpiresAt || !UserRefEntity.Of(user).Admits(session.SecurityStamp))
            {
                return new ReauthenticationResult.SessionEnded();
            }

            _issuer.Reauthenticated(session, methods, keys.Current);
            await Audit.RecordAsync(audit, cancellationToken);
            if (await _sessions.TryReplaceAsync(session, cancellationToken))
            {
                StepUpLog.Reauthenticated(_logger, caller.UserId, caller.SessionId, session.Amr);
                return new ReauthenticationResult.Succeeded(_issuer.Fresh(user.ToAccount(), session, keys.Current));
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>The methods <paramref name="proof"/> proves for <paramref name="user"/>, or null when it does not hold.</summary>
    private async Task<IReadOnlyList<string>?> CheckAsync(UserEntity user, string sessionId, Proof proof, CancellationToken cancellationToken) => proof switch
    {
        Proof.Password password => _passwords.Verify(user.PasswordHash, password.Value) == PasswordCheck.Failed ? null : AuthMethods.PasswordOnly,
        Proof.Passkey passkey => await CheckPasskeyAsync(user, passkey, cancellationToken),
        Proof.SecondFactor second => await Mfa.TryProveAsync(user.UserId, second.Code, cancellationToken, sessionId) ? [AuthMethods.OneTimeCode] : null,
        _ => throw new UnreachableException(),
    };

    private static string KindOf(Proof proof) => proof switch
    {
        Proof.Password => "password",
        Proof.Passkey => "passkey",
        Proof.SecondFactor { Code: FuncAuth.Core.Mfa.OneTimeCode.Recovery } => "recovery_code",
        Proof.SecondFactor => "totp",
        _ => throw new UnreachableException(),
    };

    /// <summary>Checks passkey proofs.</summary>
    private Passkeys.PasskeyService Passkeys { get; }

    private async Task<IReadOnlyList<string>?> CheckPasskeyAsync(UserEntity user, Proof.Passkey passkey, CancellationToken cancellationToken) =>
        Passkeys is { IsEnabled: true } && await Passkeys.VerifyReauthenticationAsync(user.UserId, passkey.SessionId, passkey.Credential, cancellationToken) is not null
            ? [AuthMethods.HardwareKey, AuthMethods.MultiFactor]
            : null;
}
