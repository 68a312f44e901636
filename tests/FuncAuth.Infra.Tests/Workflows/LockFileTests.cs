using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests.Workflows;

/// <summary>NuGet restore is pinned: every project has a lock file, and CI and the package build restore in locked mode.</summary>
public sealed partial class LockFileTests
{
    [Fact]
    public void EveryProjectRestoresWithALockFile()
    {
        var props = File.ReadAllText(RepoRoot.File("Directory.Build.props"));
        var projects = ProjectPaths().Matches(File.ReadAllText(RepoRoot.File("FuncAuth.sln"))).Select(m => m.Groups[1].Value.Replace('\\', '/')).ToList();

        Assert.Contains("<RestorePackagesWithLockFile>true</RestorePackagesWithLockFile>", props, StringComparison.Ordinal);
        Assert.NotEmpty(projects);
        Assert.All(projects, project =>
        {
            var lockFile = Path.Combine(RepoRoot.Path, Path.GetDirectoryName(project)!, "packages.lock.json");
            Assert.True(File.Exists(lockFile), $"{project} has no packages.lock.json (dotnet restore FuncAuth.sln --force-evaluate)");
        });
    }

    [Fact]
    public void TheTestCommandAndThePackageBuildRestoreInLockedMode()
    {
        Assert.Contains("dotnet restore FuncAuth.sln --locked-mode", File.ReadAllText(RepoRoot.File("scripts", "test.sh")), StringComparison.Ordinal);
        Assert.Contains("-p:RestoreLockedMode=true", File.ReadAllText(RepoRoot.File("infra", "scripts", "package.sh")), StringComparison.Ordinal);
        // ...so CI (ci.yml runs the test command, deploy.yml builds the package through azd) never restores unpinned.
        Assert.Contains("hashFiles('global.json', '**/packages.lock.json')", Workflow.Named("ci.yml").Text, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^Project\(""[^""]+""\) = ""[^""]+"", ""([^""]+\.csproj)""", RegexOptions.Multiline)]
    private static partial Regex ProjectPaths();
}
