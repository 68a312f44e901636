using System.Diagnostics;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// A credential presented again inside a signed-in session (step-up, RFC 9470). Closed: each kind is one case, and
/// <see cref="Reauthentication"/> checks each in one switch; a new kind is a new case and a new arm there.
/// </summary>
public abstract record Proof
{
    private Proof()
    {
    }

    /// <summary>The account's password: proves <c>pwd</c>.</summary>
    public sealed record Password(string Value) : Proof;
}

/// <summary>The outcome of a re-authentication. Closed: these are all its cases.</summary>
public abstract record ReauthenticationResult
{
    private ReauthenticationResult()
    {
    }

    /// <summary>The same session, new tokens, <c>auth_time</c> now and the proof's methods merged into <c>amr</c>.</summary>
    public sealed record Succeeded(IssuedTokens Tokens) : ReauthenticationResult;

    /// <summary>The proof did not hold: a failed login, counted as one.</summary>
    public sealed record Refused(Proof Proof) : ReauthenticationResult;

    /// <summary>The session ended or the account is gone since the caller was authenticated.</summary>
    public sealed record SessionEnded : ReauthenticationResult;
}

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

    internal Reauthentication(
        PasswordHashing passwords, SigningKeyRing keys, UserStore users, SessionStore sessions, SessionIssuer issuer, TimeProvider time, ILogger<Reauthentication> logger)
    {
        _passwords = passwords;
        _keys = keys;
        _users = users;
        _sessions = sessions;
        _issuer = issuer;
        _time = time;
        _logger = logger;
    }

    public async Task<ReauthenticationResult> ReauthenticateAsync(AuthenticatedSession caller, Proof proof, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetAsync(cancellationToken);
        var user = await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken);
        if (user is null || user.UserId != caller.UserId)
        {
            return new ReauthenticationResult.SessionEnded();
        }

        var methods = await CheckAsync(user, proof, cancellationToken);
        if (methods is null)
        {
            StepUpLog.ReauthenticationFailed(_logger, caller.UserId, caller.SessionId, KindOf(proof));
            return new ReauthenticationResult.Refused(proof);
        }

        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var session = await _sessions.GetAsync(caller.UserId, caller.SessionId, cancellationToken);
            if (session is null || session.Revoked || _time.GetUtcNow() >= session.ExpiresAt || !UserRefEntity.Of(user).Admits(session.SecurityStamp))
            {
                return new ReauthenticationResult.SessionEnded();
            }

            _issuer.Reauthenticated(session, methods, keys.Current);
            if (await _sessions.TryReplaceAsync(session, cancellationToken))
            {
                StepUpLog.Reauthenticated(_logger, caller.UserId, caller.SessionId, session.Amr);
                return new ReauthenticationResult.Succeeded(_issuer.Fresh(user.ToAccount(), session, keys.Current));
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>The methods <paramref name="proof"/> proves for <paramref name="user"/>, or null when it does not hold.</summary>
    private Task<IReadOnlyList<string>?> CheckAsync(UserEntity user, Proof proof, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        return proof switch
        {
            Proof.Password password => Task.FromResult(
                _passwords.Verify(user.PasswordHash, password.Value) == PasswordCheck.Failed ? null : AuthMethods.PasswordOnly),
            _ => throw new UnreachableException(),
        };
    }

    private static string KindOf(Proof proof) => proof switch
    {
        Proof.Password => "password",
        _ => throw new UnreachableException(),
    };
}
