using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed partial class RoleAssignmentTests(CompiledTemplate template)
{
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";

    [Fact]
    public void AppIdentityReadsTheSigningKeyAsSecretsUserOnTheVault()
    {
        var assignment = Single(KeyVaultSecretsUser);

        AssertScopedTo(assignment, "Microsoft.KeyVault/vaults");
        AssertGrantedToTheAppIdentity(assignment);
    }

    [Fact]
    public void AppIdentityGetsTableDataContributorOnEachOfItsTablesAndNotTheAccount()
    {
        var assignment = Single(StorageTableDataContributor);
        var tableNames = assignment.Module.ResolveParameter("tableNames").EnumerateArray().Select(t => t.GetString());

        AssertScopedTo(assignment, "Microsoft.Storage/storageAccounts/tableServices/tables");
        Assert.Contains("'default', parameters('tableNames')[copyIndex()])]", Scope(assignment));
        Assert.Equal("[length(parameters('tableNames'))]", assignment.Get("copy.count").GetString());
        Assert.Equal(["Users", "UserSessions", "SessionExpiry", "RateLimits"], tableNames);
        AssertGrantedToTheAppIdentity(assignment);
    }

    [Fact]
    public void AppIdentityGetsQueueDataContributorOnEachOfItsQueuesAndNotTheAccount()
    {
        var assignment = Single(StorageQueueDataContributor);
        var queueNames = assignment.Module.ResolveParameter("queueNames").EnumerateArray().Select(t => t.GetString());

        AssertScopedTo(assignment, "Microsoft.Storage/storageAccounts/queueServices/queues");
        Assert.Contains("'default', parameters('queueNames')[copyIndex()])]", Scope(assignment));
        Assert.Equal("[length(parameters('queueNames'))]", assignment.Get("copy.count").GetString());
        Assert.Equal(["email-outbox", "email-outbox-poison"], queueNames);
        AssertGrantedToTheAppIdentity(assignment);
    }

    [Fact]
    public void FunctionsHostGetsBlobDataOwnerOnTheStorageAccount()
    {
        var assignment = Single(StorageBlobDataOwner);

        AssertScopedTo(assignment, "Microsoft.Storage/storageAccounts");
        AssertGrantedToTheAppIdentity(assignment);
    }

    [Fact]
    public void AppIdentityPublishesTelemetryAsMetricsPublisherOnApplicationInsights()
    {
        var assignment = Single(MonitoringMetricsPublisher);

        AssertScopedTo(assignment, "Microsoft.Insights/components");
        AssertGrantedToTheAppIdentity(assignment);
    }

    [Fact]
    public void DeployerGetsSecretsOfficerOnTheVaultOnlyWhenAPrincipalIdIsGiven()
    {
        var assignment = Single(KeyVaultSecretsOfficer);

        AssertScopedTo(assignment, "Microsoft.KeyVault/vaults");
        Assert.Equal("[parameters('deployerPrincipalId')]", assignment.Get("properties.principalId").GetString());
        Assert.Equal("[variables('keyVaultOfficerId')]", assignment.Module.Argument("deployerPrincipalId").GetString());
        Assert.Equal(
            "[if(parameters('deployerKeyVaultAccess'), parameters('principalId'), '')]",
            template.Main.Template.GetProperty("variables").GetProperty("keyVaultOfficerId").GetString());
        Assert.True(template.Main.Template.GetProperty("parameters").GetProperty("deployerKeyVaultAccess").GetProperty("defaultValue").GetBoolean());
        Assert.Equal("[not(empty(parameters('deployerPrincipalId')))]", assignment.Get("condition").GetString());
        Assert.Equal("", template.Main.ResolveParameter("principalId").GetString());
    }

    [Fact]
    public void TemplateGrantsNoOtherRole()
    {
        string[] expected = [KeyVaultSecretsUser, KeyVaultSecretsOfficer, StorageTableDataContributor, StorageQueueDataContributor, StorageBlobDataOwner, MonitoringMetricsPublisher];

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

    private List<ArmResource> Assignments() => [.. template.Main.Deployed("Microsoft.Authorization/roleAssignments")];

    private ArmResource Single(string role)
    {
        var found = Assignments().Where(a => RoleOf(a) == role).ToList();
        Assert.True(found.Count == 1, $"expected one assignment of role {role}, found {found.Count}");
        return found[0];
    }

    private static string RoleOf(ArmResource assignment)
    {
        var expression = assignment.Module.ExpandVariables(assignment.Get("properties.roleDefinitionId").GetString()!);
        var match = RoleDefinition().Match(expression);
        Assert.True(match.Success, $"{assignment.Symbol}: role definition is not a built-in role id: {expression}");
        return match.Groups[1].Value;
    }

    private static string Scope(ArmResource assignment) => assignment.Get("scope").GetString()!;

    /// <summary>The scope is a resource of that type, and the very one the template deploys (same resolved name).</summary>
    private void AssertScopedTo(ArmResource assignment, string type)
    {
        var scope = ScopeResource().Match(Scope(assignment));
        Assert.True(scope.Success, $"{assignment.Symbol}: unexpected scope {Scope(assignment)}");
        Assert.Equal(type, scope.Groups[1].Value);

        var scopedName = assignment.Module.ResolveParameter(scope.Groups[2].Value).ToString();
        var parentType = string.Join('/', type.Split('/').Take(2));
        Assert.Contains(template.Main.Deployed(parentType), r => r.ResolvedName == scopedName);
    }

    private void AssertGrantedToTheAppIdentity(ArmResource assignment)
    {
        Assert.Equal("ServicePrincipal", assignment.Get("properties.principalType").GetString());
        var principalId = assignment.Get("properties.principalId").GetString()!;

        // Language version 2.0 refers to the identity by symbol, version 1.0 by resource id.
        string identityName;
        if (PrincipalBySymbol().Match(principalId) is { Success: true } bySymbol)
        {
            identityName = assignment.Module.Resources.Single(r => r.Symbol == bySymbol.Groups[1].Value).ResolvedName;
        }
        else
        {
            var byId = PrincipalByResourceId().Match(principalId);
            Assert.True(byId.Success, $"{assignment.Symbol}: principal is not an identity's principalId: {principalId}");
            identityName = assignment.Module.ResolveParameter(byId.Groups[1].Value).ToString();
        }

        Assert.Equal(template.Main.Single("Microsoft.ManagedIdentity/userAssignedIdentities").ResolvedName, identityName);
    }

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', '([0-9a-f-]{36})'\)\]$")]
    private static partial Regex RoleDefinition();

    [GeneratedRegex(@"^\[resourceId\('([^']+)', parameters\('([^']+)'\)")]
    private static partial Regex ScopeResource();

    [GeneratedRegex(@"^\[reference\('([^']+)'\)\.principalId\]$")]
    private static partial Regex PrincipalBySymbol();

    [GeneratedRegex(@"^\[reference\(resourceId\('Microsoft\.ManagedIdentity/userAssignedIdentities', parameters\('([^']+)'\)\), '[^']+'\)\.principalId\]$")]
    private static partial Regex PrincipalByResourceId();
}
