using Azure.Data.Tables;
using FuncAuth.Core.Options;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Storage;

/// <summary>The tables FuncAuth uses. Their names are fixed (plus an optional prefix); infra creates them in Azure.</summary>
public sealed class AuthTables
{
    public const string UsersTable = "Users";
    public const string UserSessionsTable = "UserSessions";
    public const string SessionExpiryTable = "SessionExpiry";
    public const string RateLimitsTable = "RateLimits";
    public const string AuthorizationRequestsTable = "AuthorizationRequests";
    public const string AuditEventsTable = "AuditEvents";

    private readonly TableServiceClient _service;

    public AuthTables(TableServiceClient service, IOptions<StorageOptions> options)
    {
        _service = service;
        var prefix = options.Value.TablePrefix;
        Users = service.GetTableClient(prefix + UsersTable);
        UserSessions = service.GetTableClient(prefix + UserSessionsTable);
        SessionExpiry = service.GetTableClient(prefix + SessionExpiryTable);
        RateLimits = service.GetTableClient(prefix + RateLimitsTable);
        AuthorizationRequests = service.GetTableClient(prefix + AuthorizationRequestsTable);
        AuditEvents = service.GetTableClient(prefix + AuditEventsTable);
    }

    internal TableClient Users { get; }

    internal TableClient UserSessions { get; }

    internal TableClient SessionExpiry { get; }

    internal TableClient RateLimits { get; }

    /// <summary>The code flow's requests and the codes they turn into (<see cref="AuthorizationRequestEntity"/>).</summary>
    internal TableClient AuthorizationRequests { get; }

    /// <summary>The audit trail and its retention index (<see cref="Audit.AuditEventEntity"/>, <see cref="Audit.AuditIndexEntity"/>).</summary>
    internal TableClient AuditEvents { get; }

    /// <summary>
    /// Creates the tables when missing: for Azurite and connection-string deployments, where no template did. One query
    /// finds which exist, so a start against tables made before costs one call, not five creates that each conflict.
    /// </summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var tables = new[] { Users, UserSessions, SessionExpiry, RateLimits, AuthorizationRequests, AuditEvents };
        var filter = string.Join(" or ", tables.Select(t => TableClient.CreateQueryFilter($"TableName eq {t.Name}")));
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var table in _service.QueryAsync(filter, cancellationToken: cancellationToken))
        {
            existing.Add(table.Name);
        }

        foreach (var table in tables.Where(t => !existing.Contains(t.Name)))
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }
    }

    /// <summary>One cheap point read, to tell whether storage answers.</summary>
    public async Task PingAsync(CancellationToken cancellationToken) =>
        await Users.GetEntityIfExistsAsync<TableEntity>("health", "", ["PartitionKey"], cancellationToken);
}
