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

/// <summary>Sign-up, login, and the admin operations on a user's account.</summary>
public sealed class AccountService
{
    private readonly IOptions<AuthOptions> _options;
    private readonly PasswordHashing _passwords;
    private readonly SigningKeyRing _keys;
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly SessionIssuer _issuer;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountService> _logger;
    // Auth__AdminEmails grants admin at sign-up only in Development without email delivery; elsewhere at a completed
    // password reset, because whoever signs up first with an address chose its password (account pre-hijacking).
    private readonly bool _grantAdminAtSignup;

    internal AccountService(
        IOptions<AuthOptions> options,
        PasswordHashing passwords,
        SigningKeyRing keys,
        UserStore users,
        SessionStore sessions,
        SessionIssuer issuer,
        TimeProvider time,
        ILogger<AccountService> logger,
        bool grantAdminAtSignup = true)
    {
        _grantAdminAtSignup = grantAdminAtSignup;
        _options = options;
        _passwords = passwords;
        _keys = keys;
        _users = users;
        _sessions = sessions;
        _issuer = issuer;
        _time = time;
        _logger = logger;
    }

    /// <summary>Counters of the auth events; set by the service registration.</summary>
    internal AuthMetrics? Metrics { get; init; }

    /// <summary>The enabled admins, for the last-admin rule; null where none is registered.</summary>
    internal Accounts.Admin.AdminIndex? Admins { get; init; }

    /// <summary>Finishes sign-ups whose writes ended without a known outcome; null where none is registered.</summary>
    internal SignupRecovery? Recovery { get; init; }

    /// <summary>Opens the session of a completed sign-in; set by the service registration.</summary>
    internal SignInSessions SignIn { get; init; } = null!;

    /// <summary>Second factors; null where none is registered.</summary>
    internal Mfa.MfaService? Mfa { get; init; }

    /// <summary>The breached-password check; null where none is registered.</summary>
    internal BreachedPasswords? Breaches { get; init; }

    /// <summary>The audit trail; each operation records its event before its change.</summary>
    internal AuditTrail? Audit { get; init; }

    /// <summary>
    /// Creates the account and signs it in. Writes, in order: the cleanup index entry, the user reference with the first
    /// session (one transaction), and the account itself. The account insert is the commit point and the uniqueness
    /// arbiter; everything before it is unreachable until it succeeds, and is removed again if it does not.
    /// </summary>
    public async Task<SignupResult> SignupAsync(string? email, string? password, string? passwordConfirmation, string? name, CancellationToken cancellationToken)
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
        var grantAdmin = _grantAdminAtSignup && _options.Value.AdminEmailSet.Contains(normalized);
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
            catch (Exception e) when (Recovery is null || SignupRecovery.IsDefinite(e))
            {
                await UndoSignupAsync(session);
                throw;
            }
        }
        catch (Exception e) when (Recovery is not null && !SignupRecovery.IsDefinite(e))
        {
            // The write may still land (a timeout or the request deadline): undoing would race it, so finish it instead.
            Recovery.Enqueue(user, session);
            throw;
        }

        if (!created)
        {
            await UndoSignupAsync(session);
            AuthLog.SignupRejectedEmailTaken(_logger);
            Metrics?.SignupEmailTaken();
            return new SignupResult.EmailTaken();
        }

        if (grantAdmin && Admins is not null)
        {
            await Admins.ListIfAdminAsync(user, cancellationToken);
        }

        AuthLog.SignedUp(_logger, user.UserId, session.SessionId, user.Roles);
        Metrics?.SignedUp();
        return new SignupResult.Created(_issuer.Fresh(user.ToAccount(), session, keys.Current));
    }

    /// <summary>Checks the password and opens a new session. Unknown email and wrong password look the same from outside.</summary>
    public async Task<LoginResult> LoginAsync(string? email, string? password, CancellationToken cancellationToken)
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
            Metrics?.Login(LoginOutcome.Failed);
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
            Metrics?.Login(LoginOutcome.Disabled);
            await RecordLoginFailedAsync(user.UserId, "account_disabled", cancellationToken);
            return new LoginResult.AccountDisabled();
        }

        if (_options.Value.RequireEmailVerification && !user.EmailVerified)
        {
            AuthLog.LoginFailed(_logger, user.UserId);
            await RecordLoginFailedAsync(user.UserId, "email_not_verified", cancellationToken);
            Metrics?.Login(LoginOutcome.Unverified);
            return new LoginResult.EmailNotVerified();
        }

        if (check == PasswordCheck.SucceededRehashNeeded)
        {
            user.PasswordHash = _passwords.Hash(password!);
            // A lost race means another login rehashed it already.
            _ = await _users.TryReplaceAsync(user, cancellationToken);
        }

        // The second factor is asked for only after the right password: a wrong one answers alike with and without it.
        if (user.TotpEnabled && Mfa is not null)
        {
            var (mfaToken, methods) = await Mfa.CreateChallengeAsync(user, cancellationToken);
            Metrics?.Login(LoginOutcome.MfaRequired);
            return new LoginResult.MfaRequired(mfaToken, (int)FuncAuth.Core.Mfa.MfaService.ChallengeLifetime.TotalSeconds, methods);
        }

        var (tokens, session) = await SignIn.OpenAsync(user, AuthMethods.PasswordOnly, cancellationToken);
        AuthLog.LoggedIn(_logger, user.UserId, session.SessionId);
        Metrics?.Login(LoginOutcome.Ok);
        return new LoginResult.Succeeded(tokens);
    }

    /// <summary>
    /// The caller's own account: the profile copy authentication read with the session, or, for a user row stored before
    /// the copy existed, one point read of the account (which fills the copy in).
    /// </summary>
    public async Task<UserAccount?> GetCurrentUserAsync(AuthenticatedSession caller, CancellationToken cancellationToken) =>
        caller.Account ?? (caller.UserRow is { } row ? await _users.FindAndFillCopyAsync(row, cancellationToken) : null)?.ToAccount();

    public async Task<UserAccount?> GetUserAsync(string userId, CancellationToken cancellationToken) =>
        (await FindAsync(userId, cancellationToken))?.ToAccount();

    /// <summary>
    /// Sets the roles, then makes every current access token of the user unacceptable (their refresh tokens keep
    /// working and bring the new roles). Both steps are idempotent: after a failure the caller retries the call.
    /// </summary>
    public async Task<SetRolesResult> SetRolesAsync(string adminId, string userId, IReadOnlyList<string?>? roles, CancellationToken cancellationToken)
    {
        var errors = Validation.RoleList(roles);
        if (errors.Count > 0)
        {
            return new SetRolesResult.Invalid(errors);
        }

        var canonical = string.Join(',', Roles.Canonical(roles!.OfType<string>()));
        AuditEvent? audit = null;
        for (var attempt = 0; attempt < LostRaceRetry.MaxAttempts; attempt++)
        {
            var user = await FindAsync(userId, cancellationToken);
            if (user is null)
            {
                return new SetRolesResult.NotFound();
            }

            audit ??= Audit?.Event(AuditEventType.RolesChanged, userId, actor: adminId,
                details: new Dictionary<string, string> { ["roles"] = canonical, ["previousRoles"] = user.Roles });
            await Audit.RecordAsync(audit, cancellationToken);
            user.Roles = canonical;
            if (await _users.TryReplaceAsync(user, cancellationToken))
            {
                if (Admins is not null)
                {
                    // A removal of admin was taken from the index before (UserAdministration.ReleaseAdminUnlessLastAsync).
                    await Admins.ListIfAdminAsync(user, cancellationToken);
                }

                var sessions = await _sessions.RevokeAccessTokensAsync(userId, cancellationToken);
                AuthLog.RolesChanged(_logger, adminId, userId, canonical, sessions);
                Metrics?.AdminAction("set_roles");
                return new SetRolesResult.Updated(user.ToAccount());
            }
        }

        throw new StorageContentionException();
    }

    /// <summary>A wrong password (or a right one the account's state refuses): one event each, never the password.</summary>
    private Task RecordLoginFailedAsync(string userId, string reason, CancellationToken cancellationToken) =>
        Audit.RecordAsync(AuditEventType.LoginFailed, userId, cancellationToken, details: new Dictionary<string, string> { ["reason"] = reason });

    private async Task<UserEntity?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var emailKey = await _users.FindEmailKeyAsync(userId, cancellationToken);
        return emailKey is null ? null : await _users.FindByEmailKeyAsync(emailKey, cancellationToken);
    }

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
