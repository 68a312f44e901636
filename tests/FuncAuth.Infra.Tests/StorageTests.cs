namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed class StorageTests(CompiledTemplate template)
{
    private ArmResource Account => template.Main.Single("Microsoft.Storage/storageAccounts");

    [Fact]
    public void StorageAccountRefusesSharedKeyAccess()
    {
        Assert.False(Account.Get("properties.allowSharedKeyAccess").GetBoolean());
        Assert.True(Account.Get("properties.defaultToOAuthAuthentication").GetBoolean());
    }

    [Fact]
    public void StorageAccountRequiresTls12OverHttpsOnly()
    {
        Assert.Equal("TLS1_2", Account.Get("properties.minimumTlsVersion").GetString());
        Assert.True(Account.Get("properties.supportsHttpsTrafficOnly").GetBoolean());
    }

    [Fact]
    public void StorageAccountAllowsNoPublicBlobAccess()
    {
        Assert.False(Account.Get("properties.allowBlobPublicAccess").GetBoolean());
        var containers = template.Main.Deployed("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal(2, containers.Count);
        Assert.All(containers, c => Assert.Equal("None", c.Get("properties.publicAccess").GetString()));
    }

    [Fact]
    public void StorageCreatesThePackageContainerAndTheHostContainerUpFront()
    {
        // With roles scoped to these containers, neither the platform nor the host could create them itself.
        var names = template.Main.Deployed("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => c.Module.Resolve(c.Get("name")).ToString())
            .ToList();

        Assert.Contains(names, n => n.Contains("parameters('deploymentContainerName')", StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains("parameters('hostContainerName')", StringComparison.Ordinal));
        var storage = template.Main.Module("storage");
        Assert.Equal("app-package", storage.ResolveParameter("deploymentContainerName").GetString());
        Assert.Equal("azure-webjobs-hosts", storage.ResolveParameter("hostContainerName").GetString());
    }

    [Fact]
    public void StorageCreatesTheTablesTheAppUses()
    {
        var tables = template.Main.Single("Microsoft.Storage/storageAccounts/tableServices/tables");
        var names = tables.Module.ResolveParameter("tableNames").EnumerateArray().Select(n => n.GetString()).ToList();

        Assert.Equal(["Users", "UserSessions", "SessionExpiry", "RateLimits", "AuthorizationRequests", "AuditEvents"], names);
        Assert.Equal("[length(parameters('tableNames'))]", tables.Get("copy.count").GetString());
    }

    [Fact]
    public void StorageCreatesTheEmailOutboxAndItsPoisonQueue()
    {
        var queues = template.Main.Single("Microsoft.Storage/storageAccounts/queueServices/queues");
        var names = queues.Module.ResolveParameter("queueNames").EnumerateArray().Select(n => n.GetString()).ToList();

        // The host reads the queue that SendEmail's function.json names, and moves failures to <name>-poison.
        Assert.Equal(["email-outbox", "email-outbox-poison"], names);
        Assert.Equal("[length(parameters('queueNames'))]", queues.Get("copy.count").GetString());
    }
}
