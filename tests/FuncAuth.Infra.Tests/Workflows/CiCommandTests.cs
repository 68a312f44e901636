using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests.Workflows;

/// <summary>CI runs exactly the test command that README gives and .ci/run runs.</summary>
public sealed partial class CiCommandTests
{
    [Fact]
    public void CiRunRunsTheReadmeTestCommand()
    {
        var command = CiRunCommand();

        Assert.Equal("bash scripts/test.sh", command);
        Assert.Contains(ReadmeQuickStart(), line => line == command);
    }

    [Fact]
    public void CiWorkflowRunsTheSameCommand()
    {
        var command = CiRunCommand();
        var job = Assert.Single(Workflow.Named("ci.yml").Jobs);

        // Extra arguments (a test logger) pass through scripts/test.sh to dotnet test; the command itself is the same.
        var runs = job.Steps.Select(s => Workflow.Scalar(s, "run")).OfType<string>().Select(r => r.Trim()).ToList();
        Assert.Contains(runs, r => r == command || r.StartsWith(command + " ", StringComparison.Ordinal));
        Assert.All(runs, r => Assert.DoesNotContain('\n', r));
    }

    [Fact]
    public void DeployTestsWithTheCiWorkflowBeforeItDeploys()
    {
        var deploy = Workflow.Named("deploy.yml");
        var test = Assert.Single(deploy.Jobs, j => Workflow.Scalar(j.Node, "uses") == "./.github/workflows/ci.yml");
        var job = Assert.Single(deploy.Jobs, j => j.Id == "deploy");

        Assert.Equal(test.Id, Workflow.Scalar(job.Node, "needs"));
        Assert.NotNull(Workflow.Child(Workflow.Mapping(Workflow.Named("ci.yml").Root, "on")!, "workflow_call"));
    }

    private static string CiRunCommand()
    {
        var match = ExecLine().Match(File.ReadAllText(RepoRoot.File(".ci", "run")));
        Assert.True(match.Success, ".ci/run has no exec line");
        return match.Groups[1].Value.Trim();
    }

    // The lines of README's first code block, comments stripped.
    private static List<string> ReadmeQuickStart()
    {
        var readme = File.ReadAllText(RepoRoot.File("README.md"));
        var block = FirstCodeBlock().Match(readme);
        Assert.True(block.Success, "README has no code block");
        return block.Groups[1].Value.Split('\n').Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).ToList();
    }

    [GeneratedRegex(@"^exec\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex ExecLine();

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstCodeBlock();
}
