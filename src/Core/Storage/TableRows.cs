using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

/// <summary>The table calls the stores make, in terms of <see cref="ITableRow{TSelf}"/>.</summary>
internal static class TableRows
{
    public static async Task<T?> GetRowAsync<T>(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableRow<T>
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? T.Read(response.Value!) : null;
    }

    public static async IAsyncEnumerable<T> QueryRowsAsync<T>(
        this TableClient table, string filter, int? maxPerPage = null, IEnumerable<string>? select = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, ITableRow<T>
    {
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage, select, cancellationToken))
        {
            yield return T.Read(entity);
        }
    }

    /// <summary>
    /// One row of a user's partition of <c>UserSessions</c> together with the user's row (reference and profile copy), in
    /// one partition query; either is null when missing. The filter is built by the SDK, which escapes the keys.
    /// </summary>
    public static async Task<(TableEntity? Row, UserRefEntity? User)> GetWithUserRowAsync(
        this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        (TableEntity? Row, UserRefEntity? User) found = default;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and (RowKey eq {rowKey} or RowKey eq {UserRefEntity.Row})");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (entity.RowKey == rowKey)
            {
                found.Row = entity;
            }
            else
            {
                found.User = UserRefEntity.Read(entity);
            }
        }

        return found;
    }

    /// <summary>
    /// Deletes the rows of one partition whatever their ETags: one transaction per 100; when one was removed meanwhile
    /// (404), the rest of that transaction one by one. Idempotent.
    /// </summary>
    public static async Task DeleteRowsAsync(this TableClient table, string partitionKey, IEnumerable<string> rowKeys, CancellationToken cancellationToken)
    {
        foreach (var chunk in rowKeys.Chunk(100))
        {
            try
            {
                await table.SubmitTransactionAsync(
                    chunk.Select(rowKey => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, rowKey), ETag.All)),
                    cancellationToken);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                foreach (var rowKey in chunk)
                {
                    await table.DeleteIfExistsAsync(partitionKey, rowKey, cancellationToken);
                }
            }
        }
    }

    /// <summary>Inserts the row (409 if it exists) and keeps the new ETag on it.</summary>
    public static async Task AddRowAsync<T>(this TableClient table, T row, CancellationToken cancellationToken)
        where T : class, ITableRow<T>
    {
        var response = await table.AddEntityAsync(row.Write(), cancellationToken);
        row.ETag = response.Headers.ETag ?? default;
    }

    public static Task UpsertRowAsync<T>(this TableClient table, T row, CancellationToken cancellationToken)
        where T : class, ITableRow<T> =>
        table.UpsertEntityAsync(row.Write(), TableUpdateMode.Replace, cancellationToken);

    /// <summary>Replaces the row if unchanged since it was read (its ETag); throws on a lost race.</summary>
    public static async Task ReplaceRowAsync<T>(this TableClient table, T row, CancellationToken cancellationToken)
        where T : class, ITableRow<T>
    {
        var response = await table.UpdateEntityAsync(row.Write(), row.ETag, TableUpdateMode.Replace, cancellationToken);
        row.ETag = response.Headers.ETag ?? default;
    }

    /// <summary>A new <see cref="TableEntity"/> with the row's keys and ETag, ready for its columns.</summary>
    public static TableEntity Keys(ITableEntity row) => new(row.PartitionKey, row.RowKey) { ETag = row.ETag };

    /// <summary>Adds the column when it has a value: a missing column reads back as null, as with the SDK's own mapping.</summary>
    public static TableEntity With(this TableEntity entity, string column, object? value)
    {
        if (value is not null)
        {
            entity[column] = value;
        }

        return entity;
    }
}
