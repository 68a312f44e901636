namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed class MonitoringTests(CompiledTemplate template)
{
    [Fact]
    public void ApplicationInsightsAcceptsOnlyEntraAuthenticatedTelemetry()
    {
        var component = template.Main.Single("Microsoft.Insights/components");
        Assert.True(component.Get("properties.DisableLocalAuth").GetBoolean());
    }

    [Fact]
    public void ApplicationInsightsKeepsItsDataInTheLogAnalyticsWorkspace()
    {
        var component = template.Main.Single("Microsoft.Insights/components");
        var workspace = template.Main.Single("Microsoft.OperationalInsights/workspaces");

        Assert.StartsWith("[resourceId('Microsoft.OperationalInsights/workspaces'", component.Get("properties.WorkspaceResourceId").GetString());
        Assert.True(workspace.Get("properties.features.disableLocalAuth").GetBoolean());
    }
}
