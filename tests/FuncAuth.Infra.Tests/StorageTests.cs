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
        var container = template.Main.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", container.Get("properties.publicAccess").GetString());
    }

    [Fact]
    public void StorageCreatesTheTablesTheAppUses()
    {
        var tables = template.Main.Single("Microsoft.Storage/storageAccounts/tableServices/tables");
        var names = tables.Module.ResolveParameter("tableNames").EnumerateArray().Select(n => n.GetString()).ToList();

        Assert.Equal(["Users", "UserSessions", "SessionExpiry", "RateLimits"], names);
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
