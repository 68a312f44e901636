using Azure;
using Azure.Data.Tables;

namespace FuncAuth.Core.Storage;

internal static class TableErrors
{
    public static bool IsConflict(this RequestFailedException e) => e.Status == 409;

    /// <summary>The ETag no longer matches (412) or the entity is gone (404): someone else changed it first.</summary>
    public static bool IsLostRace(this RequestFailedException e) => e.Status is 412 or 404;

    /// <summary>Replaces the entity if unchanged since it was read (its ETag); false on a lost race.</summary>
    public static async Task<bool> TryReplaceAsync<T>(this TableClient table, T entity, CancellationToken cancellationToken)
        where T : class, ITableRow<T>
    {
        try
        {
            await table.ReplaceRowAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes the entity whatever its ETag; false when there was none. The SDK answers a missing entity either with its
    /// 404 response or with an exception, depending on the call path, so both count as "none".
    /// </summary>
    public static async Task<bool> DeleteIfExistsAsync(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }
}
