namespace FuncAuth.Infra.Tests;

/// <summary>The app exports its auth counters to the deployment's Application Insights, with its own identity.</summary>
[Collection(SharedCompiledTemplate.Name)]
public sealed class TelemetrySettingsTests(CompiledTemplate template)
{
    [Fact]
    public void TheAppGetsTheConnectionStringOfTheApplicationInsightsComponentOfTheDeployment()
    {
        var value = AppSettings.Of(template)["APPLICATIONINSIGHTS_CONNECTION_STRING"];

        // The module's existing component, named by its applicationInsightsName parameter.
        Assert.Equal("[reference('applicationInsights').ConnectionString]", value);
        // The component the monitoring module creates, not another one.
        Assert.Equal(template.Main.Module("monitoring").Argument("applicationInsightsName").ToString(), template.Main.Module("functionApp").Argument("applicationInsightsName").ToString());
    }

    [Fact]
    public void TheExportAuthenticatesWithTheAppsUserAssignedIdentity() =>
        // The component accepts only Entra-authenticated telemetry; without this the export would be refused.
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", AppSettings.Of(template)["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
}
