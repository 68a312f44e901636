namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed class BicepLintTests(CompiledTemplate template)
{
    [Fact]
    public void MainTemplateBuildsWithoutAnyDiagnostic()
    {
        Assert.True(template.Build.ExitCode == 0, template.Build.StandardError);
        Assert.Equal("", template.Build.StandardError.Trim());
    }

    [Fact]
    public void MainTemplateLintsWithoutAnyWarningOrError()
    {
        var output = (template.Lint.StandardOutput + template.Lint.StandardError).Trim();
        Assert.True(template.Lint.ExitCode == 0, output);
        Assert.Equal("", output);
    }

    [Fact]
    public void LinterTreatsItsCoreRulesAsErrors()
    {
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepoRoot.File("infra", "bicepconfig.json")));
        var rules = config.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules").EnumerateObject().ToList();

        Assert.Contains(rules, r => r.Name == "outputs-should-not-contain-secrets");
        Assert.Contains(rules, r => r.Name == "secure-parameter-default");
        Assert.All(rules, r => Assert.Equal("error", r.Value.GetProperty("level").GetString()));
    }
}
