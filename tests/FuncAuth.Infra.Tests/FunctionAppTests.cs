using System.Text.Json;

namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed class FunctionAppTests(CompiledTemplate template)
{
    private ArmResource Site => template.Main.Single("Microsoft.Web/sites");

    [Fact]
    public void FunctionAppIsALinuxFunctionAppOnAFlexConsumptionPlan()
    {
        var plan = template.Main.Single("Microsoft.Web/serverfarms");

        Assert.Equal("functionapp,linux", Site.Get("kind").GetString());
        Assert.Equal("FC1", plan.Get("sku.name").GetString());
        Assert.Equal("FlexConsumption", plan.Get("sku.tier").GetString());
        Assert.True(plan.Get("properties.reserved").GetBoolean());
    }

    [Fact]
    public void FunctionAppRunsTheCustomHandlerRuntimeFromTheFlexCatalog()
    {
        Assert.Equal("custom", Site.Get("properties.functionAppConfig.runtime.name").GetString());
        Assert.Equal("1.0", Site.Get("properties.functionAppConfig.runtime.version").GetString());
    }

    [Fact]
    public void FunctionAppAcceptsHttpsOnlyWithTls12AndNoFtp()
    {
        Assert.True(Site.Get("properties.httpsOnly").GetBoolean());
        Assert.Equal("1.2", Site.Get("properties.siteConfig.minTlsVersion").GetString());
        Assert.Equal("Disabled", Site.Get("properties.siteConfig.ftpsState").GetString());
    }

    [Fact]
    public void FunctionAppAllowsNoBasicAuthPublishing()
    {
        var policies = template.Main.Deployed("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.Equal(["ftp", "scm"], policies.Select(p => p.Get("name").GetString()!.Split('\'')[^2]).Order());
        Assert.All(policies, p => Assert.False(p.Get("properties.allow").GetBoolean()));
    }

    [Fact]
    public void FunctionAppRunsAsTheUserAssignedIdentityAndHoldsThePackageIdentityForThePlatform()
    {
        Assert.Equal("UserAssigned", Site.Get("identity.type").GetString());
        var identities = Site.Get("identity.userAssignedIdentities").EnumerateObject().Select(i => i.Name).ToList();
        Assert.Equal(2, identities.Count);
        Assert.Contains(identities, i => i.Contains("parameters('identityId')", StringComparison.Ordinal));
        Assert.Contains(identities, i => i.Contains("parameters('packageIdentityId')", StringComparison.Ordinal));

        // Everything the app and the host do themselves picks the app's identity by its client id.
        var settings = AppSettings.Of(template);
        foreach (var name in new[] { "AZURE_CLIENT_ID", "AzureWebJobsStorage__clientId", "EmailQueue__clientId", "AzureWebJobsSecretStorageKeyVaultClientId" })
        {
            Assert.Equal("[parameters('identityClientId')]", settings[name]);
        }
    }

    [Fact]
    public void FunctionAppReadsItsDeploymentPackageWithThePackageIdentity()
    {
        var storage = Site.Get("properties.functionAppConfig.deployment.storage");

        Assert.Equal("blobContainer", storage.GetProperty("type").GetString());
        Assert.Equal("UserAssignedIdentity", storage.GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal("[parameters('packageIdentityId')]", storage.GetProperty("authentication").GetProperty("userAssignedIdentityResourceId").GetString());
        Assert.Equal(
            "[format('{0}{1}', reference('storage').primaryEndpoints.blob, parameters('deploymentContainerName'))]",
            template.Main.Single("Microsoft.Storage/storageAccounts").Module.Template.GetProperty("outputs").GetProperty("deploymentContainerUrl").GetProperty("value").GetString());
    }

    [Fact]
    public void TheHostKeepsItsKeysInTheHostKeysVault()
    {
        var settings = AppSettings.Of(template);

        Assert.Equal("keyvault", settings["AzureWebJobsSecretStorageType"]);
        Assert.Equal("[parameters('hostKeysVaultUri')]", settings["AzureWebJobsSecretStorageKeyVaultUri"]);
        Assert.Equal("[reference('hostKeysVault').outputs.uri.value]", Site.Module.Argument("hostKeysVaultUri").GetString());
        Assert.Equal("[parameters('keyVaultUri')]", settings["KeyVault__Uri"]);
    }

    [Fact]
    public void FunctionAppScalesOnInstancesOf2048MegabytesUpToTheParameter()
    {
        var scale = Site.Get("properties.functionAppConfig.scaleAndConcurrency");

        Assert.Equal(2048, scale.GetProperty("instanceMemoryMB").GetInt32());
        Assert.Equal(100, Site.Module.Resolve(scale.GetProperty("maximumInstanceCount")).GetInt32());
        // The platform's default concurrency unless the deployer lowers it for a login-heavy load.
        Assert.Equal("[parameters('httpPerInstanceConcurrency')]", scale.GetProperty("triggers").GetProperty("http").GetProperty("perInstanceConcurrency").GetString());
        Assert.Equal(16, Site.Module.Resolve(scale.GetProperty("triggers").GetProperty("http").GetProperty("perInstanceConcurrency")).GetInt32());
    }

    [Fact]
    public void PlatformCorsAndTheAppGetTheSameOrigins()
    {
        var settings = AppSettings.Of(template);

        Assert.Equal("[parameters('allowedOrigins')]", Site.Get("properties.siteConfig.cors.allowedOrigins").GetString());
        Assert.Equal("[join(parameters('allowedOrigins'), ',')]", settings["Cors__AllowedOrigins"]);
        Assert.Equal(JsonValueKind.Array, template.Main.ResolveParameter("allowedOrigins").ValueKind);
        Assert.Equal("[parameters('allowedOrigins')]", Site.Module.Argument("allowedOrigins").GetString());
    }

    [Fact]
    public void FunctionAppIsTaggedForAzdAsServiceApi()
    {
        var tags = Site.Get("tags").GetString();

        Assert.Equal("[union(parameters('tags'), createObject('azd-service-name', 'api'))]", tags);
        Assert.Equal(
            "[parameters('environmentName')]",
            template.Main.Template.GetProperty("variables").GetProperty("tags").GetProperty("azd-env-name").GetString());
    }
}
