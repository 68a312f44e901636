using System.Diagnostics;
using System.Diagnostics.Metrics;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Sessions;

namespace FuncAuth.Core.Diagnostics;

/// <summary>
/// Counters of the auth events, recorded where the events are logged. Tags take a handful of fixed values each (an
/// outcome, a reason, a limit name): never a user id, an email or anything else that grows with the user base, because
/// every distinct tag combination is a separate time series that the metrics back end stores and bills.
/// </summary>
public sealed class AuthMetrics
{
    /// <summary>The meter's name, the one to subscribe to (<c>dotnet-counters monitor --counters FuncAuth</c>).</summary>
    public const string MeterName = "FuncAuth";

    private readonly Counter<long> _signups;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _reuseDetected;
    private readonly Counter<long> _revocations;
    private readonly Counter<long> _apiKeyAuthentications;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _adminActions;
    private readonly Counter<long> _dependencyFailures;
    private readonly Counter<long> _breachCheckUnavailable;
    private readonly Counter<long> _clientAddressUnknown;
    private readonly Counter<long> _accessTokenValidations;

    public AuthMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _signups = meter.CreateCounter<long>("funcauth.signups", "{signup}", "Sign-up attempts that reached the store, by outcome (created, email_taken).");
        _logins = meter.CreateCounter<long>("funcauth.logins", "{login}", "Login attempts with a well-formed request, by outcome (ok, failed, disabled, unverified, locked, busy).");
        _refreshes = meter.CreateCounter<long>("funcauth.refreshes", "{refresh}", "Refresh-token presentations, by outcome (rotated, grace, reused, invalid, expired).");
        _reuseDetected = meter.CreateCounter<long>("funcauth.reuse_detected", "{session}", "Sessions revoked because a spent refresh token was presented again.");
        _revocations = meter.CreateCounter<long>("funcauth.revocations", "{session}", "Sessions ended, by reason (logout, logout_global, logout_others, force_logout, refresh_token_reused, password_reset, password_changed, account_deleted, account_disabled, session_deleted, session_limit).");
        _apiKeyAuthentications = meter.CreateCounter<long>("funcauth.api_key_authentications", "{key}", "API keys presented, by outcome (ok, refused).");
        _rateLimited = meter.CreateCounter<long>("funcauth.rate_limited", "{request}", "Requests refused by a rate limit, by limit.");
        _adminActions = meter.CreateCounter<long>("funcauth.admin_actions", "{action}", "Admin changes to an account, by action (force_logout, set_roles, disable, enable).");
        _dependencyFailures = meter.CreateCounter<long>("funcauth.dependency.failures", "{failure}", "Failed calls to a dependency, by dependency (tables, queue, key_vault, smtp, unknown), class (connection_refused, connection_lost, timeout, throttled, authorization, other) and route (the endpoint's route pattern, or outbox).");
        _breachCheckUnavailable = meter.CreateCounter<long>("funcauth.breach_check.unavailable", "{check}", "New passwords accepted unchecked because the breached-password API failed or did not answer in time.");
        _accessTokenValidations = meter.CreateCounter<long>("funcauth.access_token.validations", "{token}", "Access tokens validated (signature, lifetime, issuer, audience), by outcome (valid, invalid, expired): one per request that presents a bearer token.");
        _clientAddressUnknown = meter.CreateCounter<long>("funcauth.client_address.unknown", "{request}", "Requests whose client address was absent, loopback, private, link-local or CGNAT and not a trusted proxy: per-address limits skipped.");
    }

    internal void SignedUp() => _signups.Add(1, new KeyValuePair<string, object?>("outcome", "created"));

    internal void SignupEmailTaken() => _signups.Add(1, new KeyValuePair<string, object?>("outcome", "email_taken"));

    internal void Login(LoginOutcome outcome) => _logins.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
    {
        LoginOutcome.Ok => "ok",
        LoginOutcome.Failed => "failed",
        LoginOutcome.Disabled => "disabled",
        LoginOutcome.Unverified => "unverified",
        LoginOutcome.Locked => "locked",
        LoginOutcome.Busy => "busy",
        LoginOutcome.MfaRequired => "mfa_required",
        _ => throw new UnreachableException(),
    }));

    internal void Refresh(RefreshOutcome outcome) => _refreshes.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
    {
        RefreshOutcome.Rotated => "rotated",
        RefreshOutcome.Grace => "grace",
        RefreshOutcome.Reused => "reused",
        RefreshOutcome.Invalid => "invalid",
        RefreshOutcome.Expired => "expired",
        _ => throw new UnreachableException(),
    }));

    internal void ReuseDetected() => _reuseDetected.Add(1);

    internal void BreachCheckUnavailable() => _breachCheckUnavailable.Add(1);

    /// <summary>Counts <paramref name="sessions"/> sessions ended for <paramref name="reason"/>; nothing when none ended.</summary>
    internal void Revoked(RevocationReason reason, int sessions)
    {
        if (sessions > 0)
        {
            _revocations.Add(sessions, new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
        }
    }

    /// <summary>A user ending one of their sessions by its id (not a logout: the session need not be the caller's).</summary>

    internal void AccessTokenValidated(Tokens.AccessTokenStatus status) => _accessTokenValidations.Add(1, new KeyValuePair<string, object?>("outcome", status switch
    {
        Tokens.AccessTokenStatus.Valid => "valid",
        Tokens.AccessTokenStatus.Expired => "expired",
        _ => "invalid",
    }));

    internal void ApiKeyAuthenticated(bool accepted) =>
        _apiKeyAuthentications.Add(1, new KeyValuePair<string, object?>("outcome", accepted ? "ok" : "refused"));

    internal void RateLimited(RateLimitName limit) => _rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit switch
    {
        RateLimitName.LoginFailuresPerAccountAndAddress => "login_failures_per_account_and_address",
        RateLimitName.LoginFailuresPerAccount => "login_failures_per_account",
        RateLimitName.TokenRequestsPerAddress => "token_requests_per_address",
        RateLimitName.EmailRequestsPerAddress => "email_requests_per_address",
        RateLimitName.EmailsPerRecipient => "emails_per_recipient",
        RateLimitName.SecurityEmailsPerAccount => "security_emails_per_account",
        _ => "other",
    }));

    /// <summary>A request whose client address is not a client's (the HTTP edge resolves it): per-address limits skipped.</summary>
    public void ClientAddressUnknown() => _clientAddressUnknown.Add(1);

    internal void AdminAction(string action) => _adminActions.Add(1, new KeyValuePair<string, object?>("action", action));

    /// <summary>A dependency failure; the tags are the fixed names of <see cref="DependencyFailure"/> and a route pattern.</summary>
    internal void DependencyFailed(string dependency, string failureClass, string route) => _dependencyFailures.Add(
        1,
        new KeyValuePair<string, object?>("dependency", dependency),
        new KeyValuePair<string, object?>("class", failureClass),
        new KeyValuePair<string, object?>("route", route));

    internal static string ReasonTag(RevocationReason reason) => Storage.SessionEntity.StoredName(reason);
}
