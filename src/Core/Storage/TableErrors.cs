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
        where T : ITableEntity
    {
        try
        {
            var response = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            entity.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException e) when (e.IsLostRace())
        {
            return false;
        }
    }
}
