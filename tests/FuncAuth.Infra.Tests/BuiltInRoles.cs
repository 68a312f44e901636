namespace FuncAuth.Infra.Tests;

/// <summary>The Azure built-in roles the template may grant, by id, with the names the docs use for them.</summary>
internal static class BuiltInRoles
{
    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    public const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [KeyVaultSecretsUser] = "Key Vault Secrets User",
        [KeyVaultSecretsOfficer] = "Key Vault Secrets Officer",
        [StorageTableDataContributor] = "Storage Table Data Contributor",
        [StorageQueueDataContributor] = "Storage Queue Data Contributor",
        [StorageBlobDataContributor] = "Storage Blob Data Contributor",
        [StorageBlobDataOwner] = "Storage Blob Data Owner",
        [MonitoringMetricsPublisher] = "Monitoring Metrics Publisher",
    };
}
