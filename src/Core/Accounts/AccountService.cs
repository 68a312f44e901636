using System.Diagnostics;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Accounts.Lifecycle;
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
/// What a user does with their own account: sign-up (with or without verification), login, the address's
/// verification, the profile, a new password (reset or change) and deletion. The operations of one concern live in
/// internal parts (<see cref="EmailVerification"/>, <see cref="PasswordChanges"/>, <see cref="AccountDeletion"/>); what
/// an admin does to an account is <see cref="Accounts.Admin.UserAdministration"/>'s.
/// </summary>
public sealed class AccountService
{
    private readonly IOptions<AuthOptions> _options;
    private readonly PasswordHashing _passwords;
    private readonly SigningKeyRing _keys;
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly SessionIssuer _issuer;
    private readonly SignInSessions _signIn;
    private readonly Mfa.MfaService _mfa;
    private readonly SignupRecovery _recovery;
    private readonly EmailVerification _verification;
    private readonly PasswordChanges _passwordChanges;
    private readonly AccountDeletion _deletion;
    private readonly AdminEmailGrant _adminGrant;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountService> _logger;

    public AccountService(
        IOptions<AuthOptions> options,
        PasswordHashing passwords,
        SigningKeyRing keys,
        UserStore users,
        SessionStore sessions,
        SessionIssuer issuer,
        SignInSessions signIn,
        Mfa.MfaService mfa,
        SignupRecovery recovery,
        EmailVerification verification,
        PasswordChanges passwordChanges,
        AccountDeletion deletion,
        BreachedPasswords breaches,
        Accounts.Admin.AdminIndex admins,
        AdminEmailGrant adminGrant,
        AuthMetrics metrics,
        AuditTrail audit,
        TimeProvider time,
        ILogger<AccountService> logger)
    {
        _options = options;
        _passwords = passwords;
        _keys = keys;
        _users = users;
        _sessions = sessions;
        _issuer = issuer;
        _signIn = signIn;
        _mfa = mfa;
        _recovery = recovery;
        _verification = verification;
        _passwordChanges = passwordChanges;
        _deletion = deletion;
        Breaches = breaches;
        Admins = admins;
        _adminGrant = adminGrant;
        Metrics = metrics;
        Audit = audit;
        _time = time;
        _logger = logger;
    }

    private AuthMetrics Metrics { get; }

    private Accounts.Admin.AdminIndex Admins { get; }

    private BreachedPasswords Breaches { get; }

    private AuditTrail Audit { get; }

    /// <summary>
    /// Creates the account and signs it in. Writes, in order: the cleanup index entry, the user reference with the first
    /// session (one transaction), and the account itself. The account insert is the commit point and the uniqueness
    /// arbiter; everything before it is unreachable until it succeeds, and is removed again if it does not.
    /// </summary>
    public async Task<SignupResult> SignupAsync(string? email, string? password, string? passwordConfirmation, string? name, CancellationToken cancellationToken)
    {
        var result = await CreateAsync(email, password, passwordConfirmation, name, cancellationToken);
        switch (result)
        {
            case SignupResult.Created:
                Metrics.SignedUp();
                break;
            case SignupResult.EmailTaken:
                Metrics.SignupEmailTaken();
                break;
        }

        return result;
    }

    private async Task<SignupResult> CreateAsync(string? email, string? password, string? passwordConfirmation, string? name, CancellationToken cancellationToken)
    {
        var errors = Validation.Signup(email, password, passwordConfirmation, name);
        if (errors.Count > 0)
        {
            return new SignupResult.Invalid(errors);
        }

        if (await Breaches.RefuseAsync(password!, cancellationToken) is { } breached)
        {
            return new SignupResult.Invalid(breached);
        }

        var address = email!.Trim();
        var normalized = EmailAddress.Normalize(address);
        var emailKey = EmailAddress.StorageKey(normalized);
        var keys = await _keys.GetAsync(cancellationToken);
        var grantAdmin = _adminGrant.AtSignup && _options.Value.AdminEmailSet.Contains(normalized);
        var user = new UserEntity
        {
            PartitionKey = emailKey,
            UserId = Ids.New(),
            Email = address,
            Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim(),
            Roles = string.Join(',', grantAdmin ? [Roles.User, Roles.Admin] : new[] { Roles.User }),
            AdminEmailGranted = grantAdmin,
            PasswordHash = _passwords.Hash(password!),
            CreatedAt = _time.GetUtcNow(),
            SecurityStamp = Ids.New(),
        };
        var session = _issuer.Open(user.UserId, emailKey, user.SecurityStamp, AuthMethods.PasswordOnly, keys.Current);

        // The event beside the index entry, before anything is reachable: an account never exists without it. A sign-up
        // that loses to a taken address leaves an event under a user id that never came to be (cleanup removes it).
        await Task.WhenAll(
            _sessions.IndexAsync(user.UserId, session.SessionId, session.ExpiresAt, cancellationToken),
            Audit.RecordAsync(AuditEventType.Signup, user.UserId, cancellationToken, sessionId: session.SessionId));
        bool created;
        try
        {
            await _users.InsertUserRowWithFirstSessionAsync(user, session, cancellationToken);
            try
            {
                created = await _users.TryInsertAsync(user, cancellationToken);
            }
            catch (Exception e) when (SignupRecovery.IsDefinite(e))
            {
                await UndoSignupAsync(session);
                throw;
            }
        }
        catch (Exception e) when (!SignupRecovery.IsDefinite(e))
        {
            // The write may still land (a timeout or the request deadline): undoing would race it, so finish it instead.
            _recovery.Enqueue(user, session);
            throw;
        }

        if (!created)
        {
            await UndoSignupAsync(session);
            AuthLog.SignupRejectedEmailTaken(_logger);
            return new SignupResult.EmailTaken();
        }

        if (grantAdmin)
        {
            await Admins.ListIfAdminAsync(user, cancellationToken);
        }

        AuthLog.SignedUp(_logger, user.UserId, session.SessionId, user.Roles);
        return new SignupResult.Created(_issuer.Fresh(user.ToAccount(), session, keys.Current));
    }

    /// <summary>Checks the password and opens a new session. Unknown email and wrong password look the same from outside.</summary>
    public async Task<LoginResult> LoginAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        var result = await CheckAndOpenAsync(email, password, cancellationToken);
        LoginOutcome? outcome = result switch
        {
            LoginResult.Succeeded => LoginOutcome.Ok,
            LoginResult.InvalidCredentials => LoginOutcome.Failed,
            LoginResult.AccountDisabled => LoginOutcome.Disabled,
            LoginResult.EmailNotVerified => LoginOutcome.Unverified,
            LoginResult.MfaRequired => LoginOutcome.MfaRequired,
            LoginResult.Invalid => null, // a malformed request checks no password: not counted as a login
            _ => throw new UnreachableException(),
        };
        if (outcome is { } counted)
        {
            Metrics.Login(counted);
        }

        return result;
    }

    private async Task<LoginResult> CheckAndOpenAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        var errors = Validation.Login(email, password);
        if (errors.Count > 0)
        {
            return new LoginResult.Invalid(errors);
        }

        // The keys first, as the session will need them: a Key Vault outage answers 503 before a hash is spent.
        _ = await _keys.GetAsync(cancellationToken);
        var emailKey = EmailAddress.StorageKey(EmailAddress.Normalize(email!));
        var user = await _users.FindByEmailKeyAsync(emailKey, cancellationToken);
        var check = user is null ? _passwords.VerifyDecoy(password!) : _passwords.Verify(user.PasswordHash, password!);
        if (user is null || check == PasswordCheck.Failed)
        {
            AuthLog.LoginFailed(_logger, user?.UserId);
            // Only for an account that exists: an unknown address has no trail (metrics and logs count those).
            if (user is not null)
            {
                await RecordLoginFailedAsync(user.UserId, "invalid_password", cancellationToken);
            }

            return new LoginResult.InvalidCredentials();
        }

        // Told apart only after the right password, so neither reveals anything to someone who does not know it.
        if (user.Disabled)
        {
            AuthLog.LoginFailed(_logger, user.UserId);
            await RecordLoginFailedAsync(user.UserId, "account_disabled", cancellationToken);
            return new LoginResult.AccountDisabled();
        }

        if (_options.Value.RequireEmailVerification && !user.EmailVerified)
        {
            AuthLog.LoginFailed(_logger, user.UserId);
            await RecordLoginFailedAsync(user.UserId, "email_not_verified", cancellationToken);
            return new LoginResult.EmailNotVerified();
        }

        if (check == PasswordCheck.SucceededRehashNeeded)
        {
            user.PasswordHash = _passwords.Hash(password!);
            // A lost race means another login rehashed it already.
            _ = await _users.TryReplaceAsync(user, cancellationToken);
        }

        // The second factor is asked for only after the right password: a wrong one answers alike with and without it.
        if (user.TotpEnabled)
        {
            var (mfaToken, methods) = await _mfa.CreateChallengeAsync(user, cancellationToken);
            return new LoginResult.MfaRequired(mfaToken, (int)FuncAuth.Core.Mfa.MfaService.ChallengeLifetime.TotalSeconds, methods);
        }

        var (tokens, session) = await _signIn.OpenAsync(user, AuthMethods.PasswordOnly, cancellationToken);
        AuthLog.LoggedIn(_logger, user.UserId, session.SessionId);
        return new LoginResult.Succeeded(tokens);
    }

    /// <summary>
    /// Sign-up while verification is required: the same answer, and the same work, for a new and a registered address.
    /// A new address gets an account and a verification email; a registered one gets a "someone tried" email.
    /// </summary>
    public Task<IReadOnlyDictionary<string, string[]>> SignupWithVerificationAsync(
        string? email, string? password, string? passwordConfirmation, string? name, CancellationToken cancellationToken) =>
        _verification.SignupWithVerificationAsync(email, password, passwordConfirmation, name, cancellationToken);

    /// <summary>Queues a verification email after an ordinary sign-up; a queue failure does not undo the account.</summary>
    public Task SendVerificationAfterSignupAsync(string email, CancellationToken cancellationToken) =>
        _verification.SendVerificationAfterSignupAsync(email, cancellationToken);

    /// <summary>Resend and forgot: one queue call whatever the address, so neither answer nor timing tells if it exists.</summary>
    public Task<IReadOnlyDictionary<string, string[]>> RequestEmailAsync(string kind, string? email, CancellationToken cancellationToken) =>
        _verification.RequestEmailAsync(kind, email, cancellationToken);

    /// <summary>Marks the address verified when the token is the one sent for the account as it is now.</summary>
    public Task<VerifyEmailStatus> VerifyEmailAsync(string? token, CancellationToken cancellationToken) =>
        _verification.VerifyEmailAsync(token, cancellationToken);

    /// <summary>Sets the password from a reset token; every session ends and every API key is revoked.</summary>
    public Task<ResetPasswordResult> ResetPasswordAsync(string? token, string? password, string? passwordConfirmation, CancellationToken cancellationToken) =>
        _passwordChanges.ResetPasswordAsync(token, password, passwordConfirmation, cancellationToken);

    /// <summary>Changes the password after checking the current one; every other session ends, the caller's stays.</summary>
    public Task<PasswordCheckedResult> ChangePasswordAsync(
        AuthenticatedSession caller, string? currentPassword, string? password, string? passwordConfirmation, CancellationToken cancellationToken) =>
        _passwordChanges.ChangePasswordAsync(caller, currentPassword, password, passwordConfirmation, cancellationToken);

    /// <summary>Deletes the account after checking the password, with every other row of the user.</summary>
    public Task<PasswordCheckedResult> DeleteAccountAsync(AuthenticatedSession caller, string? password, CancellationToken cancellationToken) =>
        _deletion.DeleteAccountAsync(caller, password, cancellationToken);

    /// <summary>
    /// The caller's own account: the profile copy authentication read with the session, or, for a user row stored before
    /// the copy existed, one point read of the account (which fills the copy in).
    /// </summary>
    public async Task<UserAccount?> GetCurrentUserAsync(AuthenticatedSession caller, CancellationToken cancellationToken) =>
        caller.Account ?? (caller.UserRow is { } row ? await _users.FindAndFillCopyAsync(row, cancellationToken) : null)?.ToAccount();

    /// <summary>Sets the caller's display name (none when empty).</summary>
    public async Task<UpdateProfileResult> UpdateProfileAsync(AuthenticatedSession caller, string? name, CancellationToken cancellationToken)
    {
        if (name is not null && (name.Length > Validation.NameMaxLength || !TextRules.IsWellFormed(name)))
        {
            return new UpdateProfileResult.Invalid(new Dictionary<string, string[]> { ["name"] = [$"Name must be at most {Validation.NameMaxLength} characters, without control characters."] });
        }

        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var user = await _users.FindByEmailKeyAsync(caller.EmailKey, cancellationToken);
            if (user is null || user.UserId != caller.UserId)
            {
                return new UpdateProfileResult.NoAccount();
            }

            user.Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
            if (await _users.TryReplaceAsync(user, cancellationToken))
            {
                return new UpdateProfileResult.Updated(user.ToAccount());
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>A wrong password (or a right one the account's state refuses): one event each, never the password.</summary>
    private Task RecordLoginFailedAsync(string userId, string reason, CancellationToken cancellationToken) =>
        Audit.RecordAsync(AuditEventType.LoginFailed, userId, cancellationToken, details: new Dictionary<string, string> { ["reason"] = reason });

    private async Task UndoSignupAsync(SessionEntity session)
    {
        // Best effort and not cancellable: the leftovers are unreachable either way, this only keeps the tables tidy.
        try
        {
            await _users.DeleteUserRowWithFirstSessionAsync(session, CancellationToken.None);
            await _sessions.UnindexAsync(session.PartitionKey, session.SessionId, session.ExpiresAt, CancellationToken.None);
        }
        catch (Azure.RequestFailedException e)
        {
            AuthLog.SignupUndoFailed(_logger, e.Status);
        }
    }
}
