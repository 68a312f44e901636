using FuncAuth.Core.Storage;

namespace FuncAuth.Core.ApiKeys;

/// <summary>
/// The cleanup index of API keys, in table <c>SessionExpiry</c> beside the sessions' entries. PartitionKey = "k" + the
/// UTC hour ("yyyyMMddHH") when the key expires, RowKey = key id. The "k" keeps these partitions out of the sessions'
/// range (digits sort before letters), so each cleanup reads only its own due hours.
/// </summary>
internal static class ApiKeyExpiryIndex
{
    public const string PartitionPrefix = "k";

    public static string Partition(DateTimeOffset expiresAt) => PartitionPrefix + SessionExpiryEntity.Bucket(expiresAt);
}
