using System.Text.Json;

namespace FuncAuth.Infra.Tests;

/// <summary>infra/main.bicep compiled and linted once per test run; every test class reads the same ARM JSON.</summary>
public sealed class CompiledTemplate : IDisposable
{
    public CompiledTemplate()
    {
        var main = RepoRoot.File("infra", "main.bicep");
        Build = BicepCli.Run("build", main, "--stdout");
        Lint = BicepCli.Run("lint", main);
        if (Build.ExitCode == 0)
        {
            Document = JsonDocument.Parse(Build.StandardOutput);
            Root = new ArmModule("main", Document.RootElement, deployment: null, parent: null);
            Text = Build.StandardOutput;
        }
    }

    internal BicepCli.Result Build { get; }

    internal BicepCli.Result Lint { get; }

    internal JsonDocument? Document { get; }

    /// <summary>The main template; throws when the build failed, so that only the lint test reports why.</summary>
    internal ArmModule Main => Root ?? throw new InvalidOperationException($"bicep build failed:\n{Build.StandardError}");

    /// <summary>The whole ARM JSON as text, for checks that must hold anywhere in it.</summary>
    internal string Json => Text ?? throw new InvalidOperationException($"bicep build failed:\n{Build.StandardError}");

    private ArmModule? Root { get; }

    private string? Text { get; }

    public void Dispose() => Document?.Dispose();
}

[CollectionDefinition(Name)]
public sealed class SharedCompiledTemplate : ICollectionFixture<CompiledTemplate>
{
    public const string Name = "compiled template";
}
