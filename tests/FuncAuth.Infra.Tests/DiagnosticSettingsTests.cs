using System.Text.Json;

namespace FuncAuth.Infra.Tests;

/// <summary>Reads of the signing key, of storage and the host's own log leave a trace in the Log Analytics workspace.</summary>
[Collection(SharedCompiledTemplate.Name)]
public sealed class DiagnosticSettingsTests(CompiledTemplate template)
{
    [Fact]
    public void EveryVaultSendsItsAuditEventsToTheWorkspace()
    {
        foreach (var module in new[] { "keyVault", "hostKeysVault" })
        {
            var setting = SettingOn(template.Main.Module(module), "[resourceId('Microsoft.KeyVault/vaults', parameters('name'))]");

            Assert.Equal(["AuditEvent"], Categories(setting));
            AssertSendsToTheWorkspace(setting);
        }
    }

    [Theory]
    [InlineData("blobServices")]
    [InlineData("queueServices")]
    [InlineData("tableServices")]
    public void EveryStorageServiceSendsItsReadsWritesAndDeletesToTheWorkspace(string service)
    {
        var setting = SettingOn(template.Main.Module("storage"), $"[resourceId('Microsoft.Storage/storageAccounts/{service}', parameters('name'), 'default')]");

        Assert.Equal(["StorageDelete", "StorageRead", "StorageWrite"], Categories(setting).Order(StringComparer.Ordinal));
        AssertSendsToTheWorkspace(setting);
    }

    [Fact]
    public void TheFunctionAppSendsItsHostLogToTheWorkspace()
    {
        var setting = SettingOn(template.Main.Module("functionApp"), "[resourceId('Microsoft.Web/sites', parameters('name'))]");

        Assert.Equal(["FunctionAppLogs"], Categories(setting));
        AssertSendsToTheWorkspace(setting);
    }

    private static ArmResource SettingOn(ArmModule module, string scope) =>
        Assert.Single(module.Resources, r => r.Type == "Microsoft.Insights/diagnosticSettings" && r.Element.GetProperty("scope").GetString() == scope);

    /// <summary>The log categories of a setting, whether written out or produced by a copy loop over a variable.</summary>
    private static List<string> Categories(ArmResource setting)
    {
        if (setting.Properties.TryGetProperty("logs", out var logs))
        {
            Assert.All(logs.EnumerateArray(), l => Assert.True(l.GetProperty("enabled").GetBoolean()));
            return [.. logs.EnumerateArray().Select(l => l.GetProperty("category").GetString()!)];
        }

        var loop = Assert.Single(setting.Properties.GetProperty("copy").EnumerateArray());
        Assert.Equal("logs", loop.GetProperty("name").GetString());
        Assert.True(loop.GetProperty("input").GetProperty("enabled").GetBoolean());
        var source = loop.GetProperty("input").GetProperty("category").GetString()!;
        var variable = source[(source.IndexOf("variables('", StringComparison.Ordinal) + 11)..source.IndexOf("')", StringComparison.Ordinal)];
        return [.. setting.Module.Template.GetProperty("variables").GetProperty(variable).EnumerateArray().Select(c => c.GetString()!)];
    }

    private void AssertSendsToTheWorkspace(ArmResource setting)
    {
        var workspaceId = setting.Module.Resolve(setting.Get("properties.workspaceId"));
        var workspace = template.Main.Single("Microsoft.OperationalInsights/workspaces");

        Assert.Equal(JsonValueKind.String, workspaceId.ValueKind);
        Assert.Equal("[resourceId('Microsoft.OperationalInsights/workspaces', variables('logAnalyticsName'))]", workspaceId.GetString());
        Assert.Equal("[variables('logAnalyticsName')]", template.Main.Module("monitoring").Argument("logAnalyticsName").GetString());
        Assert.Equal("[parameters('logAnalyticsName')]", workspace.Get("name").GetString());
    }
}
