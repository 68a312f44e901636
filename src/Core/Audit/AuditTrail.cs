using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Audit;

/// <summary>
/// The audit trail. An operation records its event <b>before</b> it applies its change, with one call:
/// <c>await Audit.RecordAsync(AuditEventType.X, userId, cancellationToken, ...)</c>. A change therefore never exists
/// without its event; a change that fails after its event was stored leaves the event of an attempt that may not have
/// been applied (a storage timeout does not say whether it was). An operation that retries its write after a lost race
/// makes its event once (<see cref="Event"/>) and records it before each try: stored once, by its keys.
/// </summary>
public sealed class AuditTrail
{
    /// <summary>The actor of events no person caused.</summary>
    public const string SystemActor = "system";

    public const int MaxUserAgentLength = 256;
    public const int MaxLimit = 100;

    private const int MaxIndexCache = 100_000;

    private readonly AuthTables _tables;
    private readonly IOptions<AuditOptions> _options;
    private readonly TimeProvider _time;
    private readonly IClientInfo? _client;
    private readonly ILogger<AuditTrail> _logger;
    // The (day, user) pairs whose retention index entry this instance wrote: the first event of a user in a day costs
    // the index write, later ones only the event.
    private readonly ConcurrentDictionary<string, byte> _indexed = new(StringComparer.Ordinal);
    private string _indexedDay = "";

    public AuditTrail(AuthTables tables, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditTrail> logger, IClientInfo? client = null)
    {
        _tables = tables;
        _options = options;
        _time = time;
        _client = client;
        _logger = logger;
    }

    /// <summary>
    /// A new event of the current request: its id and time now, the client's address and User-Agent from the edge.
    /// <paramref name="actor"/> defaults to the user (the user acted); an admin's id or <see cref="SystemActor"/> otherwise.
    /// </summary>
    public AuditEvent Event(
        AuditEventType type, string userId, string? actor = null, string? sessionId = null, IReadOnlyDictionary<string, string>? details = null)
    {
        var agent = _client?.UserAgent;
        return new AuditEvent(
            Ids.New(), type, _time.GetUtcNow(), actor ?? userId, userId, sessionId,
            _client?.ClientAddress, _client?.ClientAddressClass,
            agent is { Length: > MaxUserAgentLength } ? agent[..MaxUserAgentLength] : agent,
            details ?? new Dictionary<string, string>());
    }

    /// <summary>Stores the event (and, once a day per user and instance, its retention index entry). Stored already is fine.</summary>
    public async Task StoreAsync(AuditEvent e, CancellationToken cancellationToken)
    {
        var day = AuditIndexEntity.Day(e.At);
        var indexKey = day + "|" + e.UserId;
        Task? index = null;
        if (!_indexed.ContainsKey(indexKey))
        {
            index = _tables.AuditEvents.UpsertRowAsync(new AuditIndexEntity { PartitionKey = day, RowKey = e.UserId }, cancellationToken);
        }

        var insert = InsertAsync(ToRow(e), cancellationToken);
        await (index is null ? insert : Task.WhenAll(index, insert));
        if (index is not null)
        {
            Remember(day, indexKey);
        }

        AuditLog.Recorded(_logger, e.Type.Name(), e.UserId, e.Id);
    }

    /// <summary>Removes an event stored for an operation that then found nothing to change. Gone already is fine.</summary>
    public Task RetractAsync(AuditEvent e, CancellationToken cancellationToken) =>
        _tables.AuditEvents.DeleteIfExistsAsync(e.UserId, AuditEventEntity.RowKeyFor(e.At, e.Id), cancellationToken);

    /// <summary>The user's events, newest first: one partition query from the cursor on.</summary>
    public async Task<AuditPage> ListAsync(string userId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        var filter = cursor is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {userId}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {userId} and RowKey gt {cursor}");
        var rows = new List<AuditEventEntity>(limit + 1);
        await foreach (var row in _tables.AuditEvents.QueryRowsAsync<AuditEventEntity>(filter, maxPerPage: limit + 1, cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count > limit)
            {
                break;
            }
        }

        var more = rows.Count > limit;
        // A type this version does not know (written by a newer one, before a roll-back) is left out rather than mislabelled.
        var page = rows.Take(limit).Select(FromRow).OfType<AuditEvent>().ToArray();
        return new AuditPage(page, more ? rows[limit - 1].RowKey : null);
    }

    /// <summary>Whether <paramref name="userId"/> has the form of a user id (so it can name a trail).</summary>
    public static bool IsUserId(string? userId) => userId is not null && Ids.IsValid(userId);

    /// <summary>Whether <paramref name="cursor"/> is one <see cref="ListAsync"/> hands out (an event's RowKey).</summary>
    public static bool IsValidCursor(string? cursor) =>
        cursor is { Length: 52 } && cursor[19] == '_' && cursor[..19].All(char.IsAsciiDigit) && Ids.IsValid(cursor[20..]);

    /// <summary>
    /// Removes the events older than <c>Audit__Retention</c>: reads the retention index of the days that are wholly past
    /// it, and for each user filed there deletes that user's expired events (one partition range query, one transaction
    /// per 100) and then the index entry. The cost follows what expired, not how many events exist. Returns the events removed.
    /// </summary>
    public async Task<int> RemoveExpiredEventsAsync(int maxUsers, CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow() - _options.Value.Retention;
        var due = new List<AuditIndexEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {AuditIndexEntity.Prefix} and PartitionKey lt {AuditIndexEntity.Day(cutoff)}");
        await foreach (var entry in _tables.AuditEvents.QueryRowsAsync<AuditIndexEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            due.Add(entry);
            if (due.Count >= maxUsers)
            {
                break;
            }
        }

        var removed = 0;
        foreach (var entry in due)
        {
            var expired = new List<string>();
            var events = TableClient.CreateQueryFilter($"PartitionKey eq {entry.RowKey} and RowKey gt {AuditEventEntity.TimeKey(cutoff)}");
            await foreach (var row in _tables.AuditEvents.QueryAsync<TableEntity>(events, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                expired.Add(row.RowKey);
            }

            await _tables.AuditEvents.DeleteRowsAsync(entry.RowKey, expired, cancellationToken);
            await _tables.AuditEvents.DeleteIfExistsAsync(entry.PartitionKey, entry.RowKey, cancellationToken);
            removed += expired.Count;
        }

        if (removed > 0)
        {
            AuditLog.Removed(_logger, removed, due.Count);
        }

        return removed;
    }

    private async Task InsertAsync(AuditEventEntity row, CancellationToken cancellationToken)
    {
        try
        {
            await _tables.AuditEvents.AddEntityAsync(row.Write(), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Stored by an earlier try of the same operation: the event is there once.
        }
    }

    private void Remember(string day, string key)
    {
        if (!string.Equals(Volatile.Read(ref _indexedDay), day, StringComparison.Ordinal) || _indexed.Count >= MaxIndexCache)
        {
            _indexed.Clear();
            Volatile.Write(ref _indexedDay, day);
        }

        _indexed.TryAdd(key, 0);
    }

    private static AuditEventEntity ToRow(AuditEvent e) => new()
    {
        PartitionKey = e.UserId,
        RowKey = AuditEventEntity.RowKeyFor(e.At, e.Id),
        Type = e.Type.Name(),
        At = e.At,
        Actor = e.Actor,
        SessionId = e.SessionId,
        ClientAddress = e.ClientAddress,
        ClientAddressClass = e.ClientAddressClass,
        UserAgent = e.UserAgent,
        Details = JsonSerializer.Serialize(e.Details.ToDictionary(), AuditJsonContext.Default.DictionaryStringString),
    };

    private static AuditEvent? FromRow(AuditEventEntity row)
    {
        if (AuditEventTypes.Parse(row.Type) is not { } type)
        {
            return null;
        }

        Dictionary<string, string>? details = null;
        try
        {
            details = row.Details is null ? null : JsonSerializer.Deserialize(row.Details, AuditJsonContext.Default.DictionaryStringString);
        }
        catch (JsonException)
        {
        }

        return new AuditEvent(row.EventId, type, row.At, row.Actor, row.PartitionKey, row.SessionId, row.ClientAddress,
            row.ClientAddressClass, row.UserAgent, details ?? new Dictionary<string, string>());
    }
}
