using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed partial class RoleAssignmentTests(CompiledTemplate template)
{
    [Fact]
    public void AppIdentityReadsTheSigningKeyAsSecretsUserOnTheVault()
    {
        var assignment = Single(BuiltInRoles.KeyVaultSecretsUser);

        AssertScopedTo(assignment, "Microsoft.KeyVault/vaults", "keyVaultName");
        AssertGrantedTo(assignment, "identityName");
    }

    [Fact]
    public void AppIdentityKeepsTheHostKeysAsSecretsOfficerOnTheirOwnVaultOnly()
    {
        var assignment = Single(BuiltInRoles.KeyVaultSecretsOfficer, a => a.Get("properties.principalId").GetString() != "[parameters('deployerPrincipalId')]");

        AssertScopedTo(assignment, "Microsoft.KeyVault/vaults", "hostKeysVaultName");
        AssertGrantedTo(assignment, "identityName");
        Assert.NotEqual(Variable("keyVaultName"), Variable("hostKeysVaultName"));
    }

    [Fact]
    public void AppIdentityGetsTableDataContributorOnEachOfItsTablesAndNotTheAccount()
    {
        var assignment = Single(BuiltInRoles.StorageTableDataContributor);
        var tableNames = assignment.Module.ResolveParameter("tableNames").EnumerateArray().Select(t => t.GetString());

        AssertScopedTo(assignment, "Microsoft.Storage/storageAccounts/tableServices/tables", "storageAccountName");
        Assert.Contains("'default', parameters('tableNames')[copyIndex()])]", Scope(assignment));
        Assert.Equal("[length(parameters('tableNames'))]", assignment.Get("copy.count").GetString());
        Assert.Equal(["Users", "UserSessions", "SessionExpiry", "RateLimits", "AuthorizationRequests", "AuditEvents"], tableNames);
        AssertGrantedTo(assignment, "identityName");
    }

    [Fact]
    public void AppIdentityGetsQueueDataContributorOnEachOfItsQueuesAndNotTheAccount()
    {
        var assignment = Single(BuiltInRoles.StorageQueueDataContributor);
        var queueNames = assignment.Module.ResolveParameter("queueNames").EnumerateArray().Select(t => t.GetString());

        AssertScopedTo(assignment, "Microsoft.Storage/storageAccounts/queueServices/queues", "storageAccountName");
        Assert.Contains("'default', parameters('queueNames')[copyIndex()])]", Scope(assignment));
        Assert.Equal("[length(parameters('queueNames'))]", assignment.Get("copy.count").GetString());
        Assert.Equal(["email-outbox", "email-outbox-poison"], queueNames);
        AssertGrantedTo(assignment, "identityName");
    }

    [Fact]
    public void NobodyGetsBlobDataOwnerOrAnyRoleOnTheWholeStorageAccount()
    {
        Assert.DoesNotContain(Assignments(), a => RoleOf(a) == BuiltInRoles.StorageBlobDataOwner);
        Assert.All(Assignments(), a => Assert.DoesNotMatch(@"^\[resourceId\('Microsoft\.Storage/storageAccounts', ", Scope(a)));
    }

    [Fact]
    public void AppIdentityGetsBlobDataContributorOnTheHostContainerAndNoOtherBlobRole()
    {
        var blobRoles = Assignments().Where(a => RoleOf(a) is BuiltInRoles.StorageBlobDataContributor or BuiltInRoles.StorageBlobDataOwner).ToList();
        var app = Assert.Single(blobRoles, a => IsGrantedTo("identityName")(a));

        Assert.Equal(BuiltInRoles.StorageBlobDataContributor, RoleOf(app));
        Assert.Equal("azure-webjobs-hosts", ContainerOf(app));
    }

    [Fact]
    public void OnlyThePackageIdentityMayWriteTheDeploymentPackage()
    {
        var onPackage = Assignments().Where(a => a.Get("scope").GetString()!.Contains("/blobServices/containers'", StringComparison.Ordinal) && ContainerOf(a) == "app-package").ToList();
        var package = Assert.Single(onPackage);

        Assert.Equal(BuiltInRoles.StorageBlobDataContributor, RoleOf(package));
        AssertGrantedTo(package, "packageIdentityName");
        Assert.NotEqual(Variable("identityName"), Variable("packageIdentityName"));
        // The platform uses that identity for the package, and nothing else is configured with it.
        var site = template.Main.Single("Microsoft.Web/sites");
        Assert.Equal("[parameters('packageIdentityId')]", site.Get("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId").GetString());
        Assert.Equal("[reference('packageIdentity').outputs.id.value]", site.Module.Argument("packageIdentityId").GetString());
        Assert.DoesNotContain("packageIdentity", string.Join('\n', AppSettings.Of(template).Values));
    }

    [Fact]
    public void AppIdentityPublishesTelemetryAsMetricsPublisherOnApplicationInsights()
    {
        var assignment = Single(BuiltInRoles.MonitoringMetricsPublisher);

        AssertScopedTo(assignment, "Microsoft.Insights/components", "applicationInsightsName");
        AssertGrantedTo(assignment, "identityName");
    }

    [Fact]
    public void DeployerGetsSecretsOfficerOnTheSigningKeyVaultOnlyWhenAPrincipalIdIsGiven()
    {
        var assignment = Single(BuiltInRoles.KeyVaultSecretsOfficer, a => a.Get("properties.principalId").GetString() == "[parameters('deployerPrincipalId')]");

        AssertScopedTo(assignment, "Microsoft.KeyVault/vaults", "keyVaultName");
        Assert.Equal("[variables('keyVaultOfficerId')]", assignment.Module.Argument("deployerPrincipalId").GetString());
        Assert.Equal(
            "[if(parameters('deployerKeyVaultAccess'), parameters('principalId'), '')]",
            template.Main.Template.GetProperty("variables").GetProperty("keyVaultOfficerId").GetString());
        Assert.True(template.Main.Template.GetProperty("parameters").GetProperty("deployerKeyVaultAccess").GetProperty("defaultValue").GetBoolean());
        Assert.Equal("[not(empty(parameters('deployerPrincipalId')))]", assignment.Get("condition").GetString());
        Assert.Equal("", template.Main.ResolveParameter("principalId").GetString());
        // The postprovision hook learns whom to take the role from again (SigningKeyScriptTests).
        Assert.Equal("[variables('keyVaultOfficerId')]", template.Main.Template.GetProperty("outputs").GetProperty("AZURE_SIGNING_KEY_OFFICER_ID").GetProperty("value").GetString());
    }

    [Fact]
    public void TemplateGrantsNoOtherRole()
    {
        string[] expected =
        [
            BuiltInRoles.KeyVaultSecretsUser, BuiltInRoles.KeyVaultSecretsOfficer, BuiltInRoles.KeyVaultSecretsOfficer,
            BuiltInRoles.StorageTableDataContributor, BuiltInRoles.StorageQueueDataContributor,
            BuiltInRoles.StorageBlobDataContributor, BuiltInRoles.StorageBlobDataContributor, BuiltInRoles.MonitoringMetricsPublisher,
        ];

        Assert.Equal(expected.Order(), Assignments().Select(RoleOf).Order());
    }

    [Fact]
    public void EveryRoleAssignmentIsNamedByAGuidOverItsScopePrincipalAndRole() =>
        Assert.All(Assignments(), a =>
        {
            var name = a.Get("name").GetString()!;
            Assert.StartsWith("[guid(", name);
            Assert.Contains(Scope(a).TrimStart('[').TrimEnd(']'), name);
            Assert.Matches("userAssignedIdentities|deployerPrincipalId", name);
            Assert.Contains("variables('", name);
        });

    /// <summary>Every role assignment the template can make, wherever it is declared.</summary>
    internal static List<ArmResource> AssignmentsOf(CompiledTemplate template) => [.. template.Main.Deployed("Microsoft.Authorization/roleAssignments")];

    /// <summary>The built-in role id an assignment grants.</summary>
    internal static string RoleOf(ArmResource assignment)
    {
        var expression = assignment.Module.ExpandVariables(assignment.Get("properties.roleDefinitionId").GetString()!);
        var match = RoleDefinition().Match(expression);
        Assert.True(match.Success, $"{assignment.Symbol}: role definition is not a built-in role id: {expression}");
        return match.Groups[1].Value;
    }

    private List<ArmResource> Assignments() => AssignmentsOf(template);

    private ArmResource Single(string role, Func<ArmResource, bool>? filter = null)
    {
        var found = Assignments().Where(a => RoleOf(a) == role && (filter is null || filter(a))).ToList();
        Assert.True(found.Count == 1, $"expected one assignment of role {role}, found {found.Count}");
        return found[0];
    }

    private string Variable(string name) => template.Main.Template.GetProperty("variables").GetProperty(name).ToString();

    private static string Scope(ArmResource assignment) => assignment.Get("scope").GetString()!;

    /// <summary>The container a container-scoped assignment names, resolved to its literal name.</summary>
    private static string ContainerOf(ArmResource assignment)
    {
        var match = ContainerScope().Match(Scope(assignment));
        Assert.True(match.Success, $"{assignment.Symbol}: not scoped to a container: {Scope(assignment)}");
        return assignment.Module.ResolveParameter(match.Groups[1].Value).ToString();
    }

    /// <summary>The scope is a resource of that type, and the very one the template deploys under that name.</summary>
    private void AssertScopedTo(ArmResource assignment, string type, string nameParameter)
    {
        var scope = ScopeResource().Match(Scope(assignment));
        Assert.True(scope.Success, $"{assignment.Symbol}: unexpected scope {Scope(assignment)}");
        Assert.Equal(type, scope.Groups[1].Value);
        Assert.Equal(nameParameter, scope.Groups[2].Value);

        var scopedName = assignment.Module.ResolveParameter(scope.Groups[2].Value).ToString();
        var parentType = string.Join('/', type.Split('/').Take(2));
        Assert.Contains(template.Main.Deployed(parentType), r => r.ResolvedName == scopedName);
    }

    private Func<ArmResource, bool> IsGrantedTo(string identityVariable) => a => IdentityOf(a) == Variable(identityVariable);

    private void AssertGrantedTo(ArmResource assignment, string identityVariable)
    {
        Assert.Equal("ServicePrincipal", assignment.Get("properties.principalType").GetString());
        Assert.Equal(Variable(identityVariable), IdentityOf(assignment));
        Assert.Contains(template.Main.Deployed("Microsoft.ManagedIdentity/userAssignedIdentities"), r => r.ResolvedName == Variable(identityVariable));
    }

    /// <summary>The name (as main.bicep computes it) of the identity whose principal an assignment names.</summary>
    private static string? IdentityOf(ArmResource assignment)
    {
        var principalId = assignment.Get("properties.principalId").GetString()!;

        // Language version 2.0 refers to the identity by symbol, version 1.0 by resource id.
        if (PrincipalBySymbol().Match(principalId) is { Success: true } bySymbol)
        {
            return assignment.Module.Resources.Single(r => r.Symbol == bySymbol.Groups[1].Value).ResolvedName;
        }

        return PrincipalByResourceId().Match(principalId) is { Success: true } byId
            ? assignment.Module.ResolveParameter(byId.Groups[1].Value).ToString()
            : null;
    }

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', '([0-9a-f-]{36})'\)\]$")]
    private static partial Regex RoleDefinition();

    [GeneratedRegex(@"^\[resourceId\('([^']+)', parameters\('([^']+)'\)")]
    private static partial Regex ScopeResource();

    [GeneratedRegex(@"^\[resourceId\('Microsoft\.Storage/storageAccounts/blobServices/containers', parameters\('[^']+'\), 'default', parameters\('([^']+)'\)\)\]$")]
    private static partial Regex ContainerScope();

    [GeneratedRegex(@"^\[reference\('([^']+)'\)\.principalId\]$")]
    private static partial Regex PrincipalBySymbol();

    [GeneratedRegex(@"^\[reference\(resourceId\('Microsoft\.ManagedIdentity/userAssignedIdentities', parameters\('([^']+)'\)\), '[^']+'\)\.principalId\]$")]
    private static partial Regex PrincipalByResourceId();
}
