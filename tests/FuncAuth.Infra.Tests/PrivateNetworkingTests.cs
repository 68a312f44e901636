using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests;

/// <summary>
/// privateNetworking (default off): storage and both vaults behind private endpoints of a virtual network the app is
/// integrated with, public network access off. Each mode is checked by evaluating the template's switch on the parameter.
/// </summary>
[Collection(SharedCompiledTemplate.Name)]
public sealed partial class PrivateNetworkingTests(CompiledTemplate template)
{
    [Fact]
    public void PrivateNetworkingIsAnOptionOffByDefault()
    {
        var parameter = template.Main.Template.GetProperty("parameters").GetProperty("privateNetworking");

        Assert.Equal("bool", parameter.GetProperty("type").GetString());
        Assert.False(parameter.GetProperty("defaultValue").GetBoolean());
        Assert.Equal("${FUNCAUTH_PRIVATE_NETWORKING=false}", ParametersFileValue("privateNetworking"));
    }

    [Theory]
    [InlineData(false, "Enabled", "Allow")]
    [InlineData(true, "Disabled", "Deny")]
    public void StorageAndBothVaultsTurnPublicNetworkAccessOffExactlyWhenPrivate(bool privateNetworking, string access, string defaultAction)
    {
        var resources = new[] { template.Main.Single("Microsoft.Storage/storageAccounts"), Vault("keyVault"), Vault("hostKeysVault") };

        Assert.All(resources, r =>
        {
            Assert.Equal(access, Evaluate(r, "properties.publicNetworkAccess", privateNetworking));
            Assert.Equal(defaultAction, Evaluate(r, "properties.networkAcls.defaultAction", privateNetworking));
        });
    }

    [Fact]
    public void TheNetworkIsDeployedOnlyWhenPrivateAndTheAppJoinsItsIntegrationSubnet()
    {
        var network = template.Main.Resources.Single(r => r.Symbol == "network");
        var site = template.Main.Single("Microsoft.Web/sites");
        var subnet = template.Main.Module("network").Resources.Single(r => r.Type == "Microsoft.Network/virtualNetworks")
            .Get("properties.subnets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "app");

        Assert.Equal("[parameters('privateNetworking')]", network.Get("condition").GetString());
        // The module's subnet parameter: the network's app subnet when private, empty (no integration) otherwise.
        var passed = template.Main.Template.GetProperty("resources").GetProperty("functionApp").GetProperty("properties").GetProperty("parameters").GetProperty("virtualNetworkSubnetId");
        Assert.Equal("[if(parameters('privateNetworking'), createObject('value', reference('network').outputs.appSubnetId.value), createObject('value', ''))]", passed.GetString());
        Assert.Equal("[if(empty(parameters('virtualNetworkSubnetId')), null(), parameters('virtualNetworkSubnetId'))]", site.Get("properties.virtualNetworkSubnetId").GetString());
        Assert.Equal("[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('name'), 'app')]", template.Main.Module("network").Template.GetProperty("outputs").GetProperty("appSubnetId").GetProperty("value").GetString());
        // Flex Consumption integrates only with a subnet delegated to Microsoft.App/environments.
        Assert.Equal("Microsoft.App/environments", subnet.GetProperty("properties").GetProperty("delegations")[0].GetProperty("properties").GetProperty("serviceName").GetString());
    }

    [Fact]
    public void TableQueueAndBlobEachGetAPrivateEndpointOnTheAppsStorageAccount()
    {
        var network = template.Main.Module("network");
        var endpoints = network.Resources.Single(r => r.Symbol == "storageEndpoints");
        var connection = endpoints.Get("properties.privateLinkServiceConnections")[0].GetProperty("properties");

        Assert.Equal("[length(variables('storageServices'))]", endpoints.Get("copy.count").GetString());
        Assert.Equal(["table", "queue", "blob"], Variable(network, "storageServices"));
        Assert.Equal("[variables('storageServices')[copyIndex()]]", connection.GetProperty("groupIds")[0].GetString());
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]", connection.GetProperty("privateLinkServiceId").GetString());
        Assert.Equal("[variables('storageAccountName')]", network.Argument("storageAccountName").GetString());
    }

    [Fact]
    public void EachVaultGetsAPrivateEndpoint()
    {
        var network = template.Main.Module("network");
        var endpoints = network.Resources.Single(r => r.Symbol == "vaultEndpoints");
        var connection = endpoints.Get("properties.privateLinkServiceConnections")[0].GetProperty("properties");

        Assert.Equal("[length(parameters('keyVaultNames'))]", endpoints.Get("copy.count").GetString());
        Assert.Equal("vault", connection.GetProperty("groupIds")[0].GetString());
        Assert.Equal("[resourceId('Microsoft.KeyVault/vaults', parameters('keyVaultNames')[copyIndex()])]", connection.GetProperty("privateLinkServiceId").GetString());
        Assert.Equal(["[variables('keyVaultName')]", "[variables('hostKeysVaultName')]"], network.Argument("keyVaultNames").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void EveryEndpointRegistersInAPrivateDnsZoneLinkedToTheNetwork()
    {
        var network = template.Main.Module("network");
        var zones = network.Resources.Single(r => r.Type == "Microsoft.Network/privateDnsZones");
        var links = network.Resources.Single(r => r.Type == "Microsoft.Network/privateDnsZones/virtualNetworkLinks");
        var groups = network.Resources.Where(r => r.Type == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups").ToList();

        Assert.Equal("[length(variables('zones'))]", zones.Get("copy.count").GetString());
        Assert.Equal("[length(variables('zones'))]", links.Get("copy.count").GetString());
        Assert.Equal("[resourceId('Microsoft.Network/virtualNetworks', parameters('name'))]", links.Get("properties.virtualNetwork.id").GetString());
        Assert.Equal(["storageEndpointDns", "vaultEndpointDns"], groups.Select(g => g.Symbol).Order(StringComparer.Ordinal));
        // The zone names come from the cloud's own suffixes, never a hard-coded public-cloud host.
        Assert.Contains("environment().suffixes.storage", network.Template.GetProperty("variables").ToString());
        Assert.Contains("environment().suffixes.keyvaultDns", network.Template.GetProperty("variables").GetProperty("vaultZone").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheTemplateCompilesWithoutAnyDiagnosticInEitherMode(bool privateNetworking)
    {
        var folder = Directory.CreateTempSubdirectory("funcauth-bicepparam-").FullName;
        try
        {
            var file = Path.Combine(folder, "main.bicepparam");
            var main = Path.GetRelativePath(folder, RepoRoot.File("infra", "main.bicep")).Replace('\\', '/');
            File.WriteAllText(file, $"""
                using '{main}'

                param environmentName = 'ci'
                param location = 'eastus2'
                param privateNetworking = {(privateNetworking ? "true" : "false")}
                """);

            var result = BicepCli.Run("build-params", file, "--stdout");

            Assert.True(result.ExitCode == 0, result.StandardError);
            Assert.Equal("", result.StandardError.Trim());
            using var output = JsonDocument.Parse(result.StandardOutput);
            using var parameters = JsonDocument.Parse(output.RootElement.GetProperty("parametersJson").GetString()!);
            Assert.Equal(privateNetworking, parameters.RootElement.GetProperty("parameters").GetProperty("privateNetworking").GetProperty("value").GetBoolean());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private ArmResource Vault(string module) =>
        template.Main.Module(module).Resources.Single(r => r.Type == "Microsoft.KeyVault/vaults");

    private static List<string> Variable(ArmModule module, string name) =>
        [.. module.Template.GetProperty("variables").GetProperty(name).EnumerateArray().Select(v => v.GetString()!)];

    /// <summary>
    /// The value of a property that switches on the module's privateNetworking parameter, for one value of main's
    /// parameter (the module must receive main's parameter unchanged).
    /// </summary>
    private static string Evaluate(ArmResource resource, string path, bool privateNetworking)
    {
        Assert.Equal("[parameters('privateNetworking')]", resource.Module.Argument("privateNetworking").GetString());
        var expression = resource.Get(path).GetString()!;
        var choice = Switch().Match(expression);
        Assert.True(choice.Success, $"{resource.Symbol}.{path} does not switch on privateNetworking: {expression}");
        return privateNetworking ? choice.Groups[1].Value : choice.Groups[2].Value;
    }

    private static string ParametersFileValue(string name)
    {
        using var file = JsonDocument.Parse(File.ReadAllText(RepoRoot.File("infra", "main.parameters.json")));
        return file.RootElement.GetProperty("parameters").GetProperty(name).GetProperty("value").GetString()!;
    }

    [GeneratedRegex(@"^\[if\(parameters\('privateNetworking'\), '([^']*)', '([^']*)'\)\]$")]
    private static partial Regex Switch();
}
