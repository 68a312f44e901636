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

    public AuthTables(TableServiceClient service, IOptions<StorageOptions> options)
    {
        var prefix = options.Value.TablePrefix;
        Users = service.GetTableClient(prefix + UsersTable);
        UserSessions = service.GetTableClient(prefix + UserSessionsTable);
        SessionExpiry = service.GetTableClient(prefix + SessionExpiryTable);
        RateLimits = service.GetTableClient(prefix + RateLimitsTable);
    }

    internal TableClient Users { get; }

    internal TableClient UserSessions { get; }

    internal TableClient SessionExpiry { get; }

    internal TableClient RateLimits { get; }

    /// <summary>Creates the tables when missing: for Azurite and connection-string deployments, where no template did.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        foreach (var table in new[] { Users, UserSessions, SessionExpiry, RateLimits })
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }
    }

    /// <summary>One cheap point read, to tell whether storage answers.</summary>
    public async Task PingAsync(CancellationToken cancellationToken) =>
        await Users.GetEntityIfExistsAsync<TableEntity>("health", "", ["PartitionKey"], cancellationToken);
}
