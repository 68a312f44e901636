using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests;

/// <summary>
/// The pipeline's deploy identity may grant exactly the roles the template assigns: the list in
/// infra/scripts/grant-deploy-identity.sh (which applies the RBAC condition) is compared with the role assignments of
/// the compiled template, so a new role in the template fails here instead of failing azd provision with
/// AuthorizationFailed.
/// </summary>
[Collection(SharedCompiledTemplate.Name)]
public sealed partial class DeployIdentityRolesTests(CompiledTemplate template) : IDisposable
{
    private const string StandInAzScript = """
        #!/usr/bin/env bash
        printf '%s\0' "$@" >> "$AZ_LOG/args"
        printf '\n' >> "$AZ_LOG/args"
        case "$1 $2 $3" in
          "role assignment create") exit 0 ;;
          "role assignment list") echo "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/old" ;;
          "role assignment delete") exit 0 ;;
          *) echo "unexpected az $*" >&2; exit 9 ;;
        esac
        """;

    private readonly StandInAz _az = new(StandInAzScript);

    public void Dispose() => _az.Dispose();

    [Fact]
    public void TheScriptNamesEveryRoleTheTemplateAssignsAndNoOther()
    {
        var assigned = RoleAssignmentTests.AssignmentsOf(template).Select(RoleAssignmentTests.RoleOf).ToHashSet();

        Assert.Equal(assigned.Order(StringComparer.Ordinal), ScriptRoles().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheScriptNamesEachRoleCorrectly() =>
        Assert.All(ScriptRoles(), role =>
        {
            Assert.True(BuiltInRoles.Names.TryGetValue(role.Key, out var name), $"{role.Key} is not a role the tests know; add it to BuiltInRoles");
            Assert.Equal(name, role.Value);
        });

    [Fact]
    public void TheConditionItAppliesAllowsEveryTemplateRoleOnlyForOtherServicePrincipals()
    {
        var (exit, output) = RunScript();
        Assert.True(exit == 0, output);

        var calls = File.ReadAllLines(Path.Combine(_az.Folder, "args")).Select(l => l.Split('\0', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var administrator = Assert.Single(calls, c => c.Contains("Role Based Access Control Administrator") && c[2] == "create");
        var condition = administrator[Array.IndexOf(administrator, "--condition") + 1];
        var allowed = GuidSet().Matches(condition).Select(m => m.Groups[1].Value).ToList();

        // Two lists (write, delete), each with every role the template assigns.
        Assert.Equal(2, allowed.Count);
        var templateRoles = RoleAssignmentTests.AssignmentsOf(template).Select(RoleAssignmentTests.RoleOf).ToHashSet();
        Assert.All(allowed, list => Assert.Equal(templateRoles.Order(StringComparer.Ordinal), list.Split(", ").Order(StringComparer.Ordinal)));
        Assert.Contains("PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}", condition, StringComparison.Ordinal);
        Assert.Contains("PrincipalId] ForAnyOfAllValues:GuidNotEquals {11111111-2222-3333-4444-555555555555}", condition, StringComparison.Ordinal);
        Assert.Equal("2.0", administrator[Array.IndexOf(administrator, "--condition-version") + 1]);
        // The previous assignment (an older list) is replaced, not left beside the new one.
        Assert.Contains(calls, c => c[2] == "delete" && c.Contains("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/old"));
        Assert.Contains(calls, c => c[2] == "create" && c.Contains("Contributor"));
    }

    [Fact]
    public void TheDeployGuideAppliesTheConditionWithTheScriptAndNamesEveryRole()
    {
        var guide = File.ReadAllText(RepoRoot.File("docs", "deploy.md"));

        Assert.Contains("./infra/scripts/grant-deploy-identity.sh", guide, StringComparison.Ordinal);
        // No second copy of the condition that could fall behind the script.
        Assert.DoesNotContain("ForAnyOfAnyValues:GuidEquals", guide, StringComparison.Ordinal);
        Assert.All(ScriptRoles().Values, name => Assert.Contains(name, guide, StringComparison.Ordinal));
    }

    private static Dictionary<string, string> ScriptRoles()
    {
        var script = File.ReadAllText(RepoRoot.File("infra", "scripts", "grant-deploy-identity.sh"));
        var list = RoleList().Match(script);
        Assert.True(list.Success, "grant-deploy-identity.sh has no template_roles=( ... ) list");
        return RoleLine().Matches(list.Groups[1].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim(), StringComparer.Ordinal);
    }

    private (int Exit, string Output) RunScript() =>
        _az.Run("grant-deploy-identity.sh", [], new Dictionary<string, string?>
        {
            ["DEPLOY_PRINCIPAL_ID"] = "11111111-2222-3333-4444-555555555555",
            ["RESOURCE_GROUP_ID"] = "/subscriptions/s/resourceGroups/rg",
        });

    [GeneratedRegex(@"^template_roles=\((.*?)^\)", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex RoleList();

    [GeneratedRegex(@"^\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s+#\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex RoleLine();

    [GeneratedRegex(@"RoleDefinitionId\] ForAnyOfAnyValues:GuidEquals \{([^}]*)\}")]
    private static partial Regex GuidSet();
}
