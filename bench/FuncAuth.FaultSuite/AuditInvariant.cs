using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Audit;
using FuncAuth.Core.Storage;

namespace FuncAuth.FaultSuite;

/// <summary>
/// <see cref="InvariantRules.StateChangeWithoutEvent"/>: every successful state change the tables show has its audit
/// event (docs/api.md, "Audit trail"). A session was opened by a sign-up or a login with its session id; a session ended
/// for reuse has its refresh_token_reused; a session ended by a logout, a force-logout, a password change or reset, a
/// disable or an account deletion has that event in its user's trail; an API key has its api_key_created; a disabled
/// account its user_disabled, a verified address its email_verified (or the password_reset that verified it). Events
/// without a change are allowed: an operation stores its event before its change, and a change that then failed leaves one.
/// </summary>
public sealed class StateChangeWithoutEventRule : IInvariantRule
{
    // Why a session ended → the event that must be in its user's trail (null: no event records it).
    private static readonly Dictionary<string, string?> EndedBy = new(StringComparer.Ordinal)
    {
        ["logout"] = "logout",
        ["logout_global"] = "logout",
        ["logout_others"] = "logout",
        ["force_logout"] = "force_logout",
        ["refresh_token_reused"] = "refresh_token_reused",
        ["password_reset"] = "password_reset",
        ["password_changed"] = "password_changed",
        ["account_disabled"] = "user_disabled",
        ["account_deleted"] = "account_deleted",
        ["session_deleted"] = "logout",
        ["session_limit"] = null,
        ["mfa_reset"] = "mfa_reset",
    };

    // The events of a sign-in that open a session (a password, a password and a second factor, a passkey).
    private static readonly string[] Openers = ["signup", "login_succeeded", "mfa_succeeded", "passkey_used"];

    public async Task<IEnumerable<Violation>> CheckAsync(TableServiceClient service, string tablePrefix, TableSnapshot snapshot, CancellationToken cancellationToken)
    {
        var events = new List<(string UserId, string Type, string? SessionId, string? KeyId)>();
        try
        {
            var table = service.GetTableClient(tablePrefix + AuthTables.AuditEventsTable);
            // Every user partition; the retention index partitions ("~" + day) sort after them.
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {AuditIndexEntity.Prefix}"), cancellationToken: cancellationToken))
            {
                var e = AuditEventEntity.Read(row);
                string? keyId = null;
                if (e.Details is { Length: > 0 } details)
                {
                    using var json = JsonDocument.Parse(details);
                    keyId = json.RootElement.TryGetProperty("keyId", out var id) ? id.GetString() : null;
                }

                events.Add((e.PartitionKey, e.Type, e.SessionId, keyId));
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }

        var byUser = events.ToLookup(e => e.UserId, StringComparer.Ordinal);
        bool Has(string userId, string type, Func<(string UserId, string Type, string? SessionId, string? KeyId), bool>? match = null) =>
            byUser[userId].Any(e => e.Type == type && (match is null || match(e)));

        var violations = new List<Violation>();
        foreach (var session in snapshot.Sessions)
        {
            var userId = session.PartitionKey;
            var sessionId = session.SessionId;
            if (!Openers.Any(opener => Has(userId, opener, e => e.SessionId == sessionId)))
            {
                violations.Add(new(InvariantRules.StateChangeWithoutEvent, $"session {sessionId} of user {userId} has no signup, login_succeeded, mfa_succeeded or passkey_used"));
            }

            if (session.Revoked && session.RevokedReason is { } reason && EndedBy.TryGetValue(reason, out var type) && type is not null
                && !Has(userId, type, type == "refresh_token_reused" ? e => e.SessionId == sessionId : null))
            {
                violations.Add(new(InvariantRules.StateChangeWithoutEvent, $"session {sessionId} of user {userId} ended ({reason}) without {type}"));
            }
        }

        foreach (var key in snapshot.ApiKeys)
        {
            if (!Has(key.PartitionKey, "api_key_created", e => e.KeyId == key.KeyId))
            {
                violations.Add(new(InvariantRules.StateChangeWithoutEvent, $"API key {key.KeyId} of user {key.PartitionKey} has no api_key_created"));
            }
        }

        foreach (var account in snapshot.Accounts)
        {
            if (account.Disabled && !Has(account.UserId, "user_disabled"))
            {
                violations.Add(new(InvariantRules.StateChangeWithoutEvent, $"user {account.UserId} is disabled without user_disabled"));
            }

            if (account.EmailVerified && !Has(account.UserId, "email_verified") && !Has(account.UserId, "password_reset"))
            {
                violations.Add(new(InvariantRules.StateChangeWithoutEvent, $"user {account.UserId} is verified without email_verified or password_reset"));
            }
        }

        return violations;
    }
}
