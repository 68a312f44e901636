using FuncAuth.Core.Accounts;
using FuncAuth.Core.Passwords;
using FuncAuth.Core.Sessions;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Abuse;

/// <summary>The outcome of a guarded login. Closed: these are all its cases.</summary>
public abstract record GuardedLoginResult
{
    private GuardedLoginResult()
    {
    }

    /// <summary>The password was checked; <see cref="Login"/> says how it went.</summary>
    public sealed record Checked(LoginResult Login) : GuardedLoginResult;

    /// <summary>A failed-login limit is reached: 429, whatever the password and whether or not the account exists.</summary>
    public sealed record RateLimited(int RetryAfterSeconds) : GuardedLoginResult;

    /// <summary>No hash slot: 503.</summary>
    public sealed record Busy(int RetryAfterSeconds) : GuardedLoginResult;
}

/// <summary>
/// Login behind the failed-login limits of README's "Abuse resistance" and the hash bulkhead. Every login surface (the login endpoint,
/// the OAuth password grant) goes through here. A guess takes its count from both failure limits before the password
/// is checked, so concurrent guesses on any number of instances cannot overshoot a limit; a login that succeeds gives
/// its counts back. Counters are keyed by the email's storage key, whether or not an account has it, so the limiter
/// answers alike for known and unknown addresses.
/// </summary>
public sealed class LoginGuard
{
    private readonly AccountService _accounts;
    private readonly AbuseLimits _limits;
    private readonly HashBulkhead _bulkhead;
    private readonly ILogger<LoginGuard> _logger;

    public LoginGuard(AccountService accounts, AbuseLimits limits, HashBulkhead bulkhead, ILogger<LoginGuard> logger, Diagnostics.AuthMetrics metrics)
    {
        _accounts = accounts;
        _limits = limits;
        _bulkhead = bulkhead;
        _logger = logger;
        Metrics = metrics;
    }

    private Diagnostics.AuthMetrics Metrics { get; }

    /// <param name="clientAddress">
    /// The caller's address key, as the HTTP edge resolved it; null when the address is unknown: the per-address limit is
    /// skipped then (one bucket for every unknown caller would let one of them lock the others out), the per-account one
    /// still applies.
    /// </param>
    public async Task<GuardedLoginResult> LoginAsync(string? email, string? password, string? clientAddress, CancellationToken cancellationToken)
    {
        var result = await GuardAsync(email, password, clientAddress, cancellationToken);
        // A checked login was counted by the account façade, from its own outcome.
        switch (result)
        {
            case GuardedLoginResult.RateLimited:
                Metrics.Login(Diagnostics.LoginOutcome.Locked);
                break;
            case GuardedLoginResult.Busy:
                Metrics.Login(Diagnostics.LoginOutcome.Busy);
                break;
        }

        return result;
    }

    private async Task<GuardedLoginResult> GuardAsync(string? email, string? password, string? clientAddress, CancellationToken cancellationToken)
    {
        if (Validation.Login(email, password).Count > 0)
        {
            // Nothing is hashed for a request that fails validation, so it costs no guess.
            return new GuardedLoginResult.Checked(await _accounts.LoginAsync(email, password, cancellationToken));
        }

        var (lease, retryAfter) = await AcquireAsync(AccountKey(email!), clientAddress, cancellationToken);
        if (lease is null)
        {
            return new GuardedLoginResult.RateLimited(retryAfter);
        }

        using var slot = await _bulkhead.TryEnterAsync(cancellationToken);
        if (slot is null)
        {
            await ReleaseAsync(lease, cancellationToken);
            AbuseLog.HashingBusy(_logger);
            return new GuardedLoginResult.Busy(1);
        }

        var result = await _accounts.LoginAsync(email, password, cancellationToken);
        if (result is not LoginResult.InvalidCredentials)
        {
            await ReleaseAsync(lease, cancellationToken);
        }

        return new GuardedLoginResult.Checked(result);
    }

    /// <summary>
    /// Any other check of an account's password (password change, account deletion): it counts against the same
    /// failed-login limits as login (docs/api.md), so a token holder cannot guess the password faster than a login could.
    /// <paramref name="check"/> runs only under both limits; a result for which <paramref name="failed"/> is false gives
    /// its counts back. The route holds a hash slot already. Null result: a limit is reached (429 after
    /// <c>RetryAfterSeconds</c>).
    /// </summary>
    /// <param name="caller">The signed-in caller whose account's password is checked (counted under its email key, as login counts it).</param>
    /// <param name="clientAddress">As for <see cref="LoginAsync"/>: null skips the per-address limit.</param>
    public Task<(T? Result, int RetryAfterSeconds)> CheckPasswordAsync<T>(
        AuthenticatedSession caller, string? clientAddress, Func<CancellationToken, Task<T>> check, Func<T, bool> failed, CancellationToken cancellationToken)
        where T : class =>
        CheckCredentialAsync(caller.EmailKey, clientAddress, check, failed, cancellationToken);

    /// <summary>
    /// As <see cref="CheckPasswordAsync{T}"/>, for a credential of the account with the email storage key
    /// <paramref name="accountKey"/> (a second-factor code at sign-in, where there is no session yet).
    /// </summary>
    public async Task<(T? Result, int RetryAfterSeconds)> CheckCredentialAsync<T>(
        string accountKey, string? clientAddress, Func<CancellationToken, Task<T>> check, Func<T, bool> failed, CancellationToken cancellationToken)
        where T : class
    {
        var (lease, retryAfter) = await AcquireAsync(accountKey, clientAddress, cancellationToken);
        if (lease is null)
        {
            // Counted as a locked login, as the limits are login's.
            Metrics.Login(Diagnostics.LoginOutcome.Locked);
            return (null, retryAfter);
        }

        var result = await check(cancellationToken);
        if (!failed(result))
        {
            await ReleaseAsync(lease, cancellationToken);
        }

        return (result, 0);
    }

    /// <summary>
    /// Takes one count from each failure limit in one call (both counters of the account share a partition and are
    /// written in one transaction). Null lease: refused, after the given seconds.
    /// </summary>
    private async Task<(RateLimitDecision? Lease, int RetryAfterSeconds)> AcquireAsync(string account, string? clientAddress, CancellationToken cancellationToken)
    {
        var decision = await _limits.TryAcquireLoginFailureAsync(account, clientAddress, cancellationToken);
        if (!decision.Allowed)
        {
            return (null, decision.RetryAfterSeconds);
        }

        return (decision, 0);
    }

    /// <summary>
    /// Clears the failed-login counters of the account: the per-account one and the per-account-and-address ones of every
    /// address (they share a partition: one query and one batch). A completed password reset calls this (docs/api.md).
    /// </summary>
    public async Task ClearLoginFailuresAsync(string email, CancellationToken cancellationToken)
    {
        var account = AccountKey(email);
        var cleared = await _limits.ClearLoginFailuresAsync(account, cancellationToken);
        AbuseLog.LoginFailuresCleared(_logger, cleared);
    }

    private static string AccountKey(string email) => EmailAddress.StorageKey(EmailAddress.Normalize(email));

    private Task ReleaseAsync(RateLimitDecision decision, CancellationToken cancellationToken) => _limits.ReleaseAsync(decision, cancellationToken);
}
