using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace FuncAuth.Infra.Tests.Workflows;

/// <summary>
/// The security properties of every workflow: least rights for the GITHUB_TOKEN, an OpenID Connect token only for the
/// jobs that sign in to Azure, no stored Azure credential, and every third-party action pinned to a commit.
/// </summary>
public sealed partial class WorkflowSecurityTests
{
    public static TheoryData<string> Workflows() => [.. Workflow.All().Select(w => w.Name)];

    [Theory]
    [MemberData(nameof(Workflows))]
    public void TopLevelPermissionsAreContentsReadOnly(string name)
    {
        var permissions = Workflow.Permissions(Workflow.Named(name).Root);

        Assert.NotNull(permissions);
        Assert.Equal(new Dictionary<string, string> { ["contents"] = "read" }, permissions);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void NoJobAsksForWriteAccessExceptTheIdToken(string name) =>
        Assert.All(Workflow.Named(name).Jobs, job =>
        {
            foreach (var (scope, level) in job.Permissions ?? new Dictionary<string, string>())
            {
                Assert.True(level is "read" or "none" || (scope, level) == ("id-token", "write"), $"{job}: {scope}: {level}");
            }
        });

    [Theory]
    [MemberData(nameof(Workflows))]
    public void IdTokenWriteOnlyOnJobsThatSignInToAzure(string name) =>
        Assert.All(Workflow.Named(name).Jobs, job =>
        {
            var idToken = job.Permissions is { } p && p.TryGetValue("id-token", out var level) && level == "write";
            Assert.True(idToken == job.LogsInToAzure, idToken
                ? $"{job} has id-token: write but does not sign in to Azure"
                : $"{job} signs in to Azure without its own id-token: write");
        });

    [Fact]
    public void OnlyTheDeployPreviewAndKeyJobsGetAnIdToken()
    {
        var withIdToken = Workflow.All().SelectMany(w => w.Jobs)
            .Where(j => j.Permissions is { } p && p.GetValueOrDefault("id-token") == "write")
            .Select(j => j.ToString())
            .Order(StringComparer.Ordinal);

        Assert.Equal(["deploy.yml: deploy", "deploy.yml: preview", "signing-key.yml: signing-key"], withIdToken);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void AzureSignInIsOpenIdConnectWithIdsFromRepositoryVariables(string name) =>
        Assert.All(Workflow.Named(name).Jobs.SelectMany(j => j.Steps), step =>
        {
            if (Workflow.Scalar(step, "uses")?.StartsWith("azure/login@", StringComparison.OrdinalIgnoreCase) != true)
            {
                return;
            }

            var with = Workflow.Mapping(step, "with");
            Assert.NotNull(with);
            var inputs = with.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);
            Assert.DoesNotContain("creds", inputs.Keys);
            Assert.DoesNotContain("client-secret", inputs.Keys);
            Assert.Matches(@"^\$\{\{ vars\.AZURE_[A-Z_]*CLIENT_ID \}\}$", inputs["client-id"]);
            Assert.Equal("${{ vars.AZURE_TENANT_ID }}", inputs["tenant-id"]);
        });

    [Theory]
    [MemberData(nameof(Workflows))]
    public void NoSecretHoldsAnAzureCredential(string name)
    {
        var text = Workflow.Named(name).Text;

        // The only secret a workflow may name is the token GitHub itself issues per run.
        Assert.All(SecretReference().Matches(text), m => Assert.Equal("GITHUB_TOKEN", m.Groups[1].Value));
        foreach (var forbidden in new[] { "AZURE_CLIENT_SECRET", "AZURE_CREDENTIALS", "clientSecret", "client-secret", "creds:" })
        {
            Assert.DoesNotContain(forbidden, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void EveryThirdPartyActionIsPinnedToAFullCommitSha(string name)
    {
        var workflow = Workflow.Named(name);
        var uses = workflow.Jobs.SelectMany(j => j.Uses).ToList();

        Assert.All(uses.Where(u => !u.StartsWith("./", StringComparison.Ordinal)), u =>
            Assert.True(PinnedAction().IsMatch(u), $"{name}: {u} is not pinned to a 40-hex commit SHA"));
        // ...and says which release that commit is, so updates can be reviewed.
        Assert.All(UsesLine().Matches(workflow.Text).Where(m => !m.Groups[1].Value.StartsWith("./", StringComparison.Ordinal)), m =>
            Assert.True(VersionComment().IsMatch(m.Groups[2].Value), $"{name}: {m.Value.Trim()} has no # vX.Y.Z comment"));
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void NoTriggerRunsPullRequestCodeWithWriteAccess(string name)
    {
        var on = Workflow.Child(Workflow.Named(name).Root, "on");
        var triggers = on switch
        {
            YamlScalarNode scalar => [scalar.Value!],
            YamlSequenceNode sequence => sequence.Children.Select(c => ((YamlScalarNode)c).Value!),
            YamlMappingNode mapping => mapping.Children.Keys.Select(k => ((YamlScalarNode)k).Value!),
            _ => throw new InvalidOperationException($"{name} has no on:"),
        };

        Assert.DoesNotContain("pull_request_target", triggers);
        Assert.DoesNotContain("workflow_run", triggers);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void CheckoutKeepsNoCredentials(string name) =>
        Assert.All(Workflow.Named(name).Jobs.SelectMany(j => j.Steps), step =>
        {
            if (Workflow.Scalar(step, "uses")?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true)
            {
                Assert.Equal("false", Workflow.Scalar(Workflow.Mapping(step, "with")!, "persist-credentials"));
            }
        });

    [Fact]
    public void DeployProvisionsAndDeploysWithAzdButNeverTouchesTheSigningKey()
    {
        var deploy = Workflow.Named("deploy.yml");
        var job = Assert.Single(deploy.Jobs, j => j.Id == "deploy");
        var runs = string.Join('\n', job.Steps.Select(s => Workflow.Scalar(s, "run")).OfType<string>());

        Assert.Contains("azd provision --no-prompt", runs);
        Assert.Contains("azd deploy --no-prompt", runs);
        Assert.Contains("azd env set FUNCAUTH_DEPLOYER_KEY_VAULT_ACCESS false", runs);
        Assert.DoesNotContain("signing-key.sh", deploy.Text);
        Assert.DoesNotContain("az keyvault secret", deploy.Text);
    }

    [Fact]
    public void PreviewRunsWhatIfOnPullRequestsWithTheReadOnlyIdentity()
    {
        var deploy = Workflow.Named("deploy.yml");
        var job = Assert.Single(deploy.Jobs, j => j.Id == "preview");
        var runs = string.Join('\n', job.Steps.Select(s => Workflow.Scalar(s, "run")).OfType<string>());
        var paths = (YamlSequenceNode)Workflow.Child(Workflow.Mapping(Workflow.Mapping(deploy.Root, "on")!, "pull_request")!, "paths")!;

        Assert.Contains("github.event_name == 'pull_request'", Workflow.Scalar(job.Node, "if"));
        Assert.Contains(paths.Children, p => ((YamlScalarNode)p).Value == "infra/**");
        Assert.Contains("az deployment group what-if", runs);
        Assert.Contains("--validation-level ProviderNoRbac", runs);
        Assert.Contains("${{ vars.AZURE_PREVIEW_CLIENT_ID }}", job.Node.ToString());
    }

    [Fact]
    public void SigningKeyWorkflowRunsOnlyByHandBehindAnEnvironmentAndTakesNoFreeText()
    {
        var workflow = Workflow.Named("signing-key.yml");
        var on = Workflow.Mapping(workflow.Root, "on")!;
        var job = Assert.Single(workflow.Jobs);
        var input = Workflow.Mapping(Workflow.Mapping(Workflow.Mapping(on, "workflow_dispatch")!, "inputs")!, "action")!;

        Assert.Equal(["workflow_dispatch"], on.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Equal("choice", Workflow.Scalar(input, "type"));
        Assert.Equal("signing-key", Workflow.Scalar(job.Node, "environment"));
        // Inputs reach the shell only through an environment variable, never spliced into the script.
        Assert.All(job.Steps.Select(s => Workflow.Scalar(s, "run")).OfType<string>(), run => Assert.DoesNotContain("${{", run));
    }

    [GeneratedRegex(@"\bsecrets\s*\.\s*([A-Za-z0-9_]+)|\bsecrets\s*\[\s*'([^']*)'")]
    private static partial Regex SecretReference();

    [GeneratedRegex(@"^(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[^@\s]+)?@[0-9a-f]{40}|docker://[^@\s]+@sha256:[0-9a-f]{64})$")]
    private static partial Regex PinnedAction();

    [GeneratedRegex(@"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", RegexOptions.Multiline)]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"^\s+#\s+v\d+(\.\d+)*\s*$")]
    private static partial Regex VersionComment();
}
