using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed class AzdWiringTests(CompiledTemplate template)
{
    [Theory]
    [InlineData("AZURE_FUNCTION_APP_NAME")]
    [InlineData("SERVICE_API_NAME")]
    [InlineData("SERVICE_API_URI")]
    [InlineData("AZURE_KEY_VAULT_NAME")]
    [InlineData("AZURE_KEY_VAULT_URI")]
    [InlineData("AZURE_SIGNING_KEY_NAME")]
    [InlineData("AZURE_SIGNING_KEY_OFFICER_ID")]
    [InlineData("AZURE_PRIVATE_NETWORKING")]
    public void TemplateOutputsWhatAzdAndTheHooksRead(string name) =>
        Assert.True(template.Main.Template.GetProperty("outputs").TryGetProperty(name, out _), name);

    [Fact]
    public void OutputsAreUpperSnakeCase() =>
        Assert.All(template.Main.Template.GetProperty("outputs").EnumerateObject(), o => Assert.Matches("^[A-Z][A-Z0-9_]*$", o.Name));

    [Fact]
    public void ResourceNamesDeriveFromOneResourceToken()
    {
        var variables = template.Main.Template.GetProperty("variables");

        Assert.Equal(
            "[toLower(uniqueString(subscription().id, resourceGroup().id, parameters('environmentName'), parameters('location')))]",
            variables.GetProperty("resourceToken").GetString());
        foreach (var name in new[] { "identityName", "applicationInsightsName", "storageAccountName", "keyVaultName", "functionAppName" })
        {
            Assert.Contains("variables('resourceToken')", variables.GetProperty(name).GetString());
        }
    }

    [Fact]
    public void ParametersFileMapsOnlyParametersTheTemplateDeclares()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(RepoRoot.File("infra", "main.parameters.json")));
        var declared = template.Main.Template.GetProperty("parameters");
        var mapped = file.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();
        var required = declared.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _)).Select(p => p.Name);

        Assert.All(mapped, name => Assert.True(declared.TryGetProperty(name, out _), $"{name} is not a template parameter"));
        Assert.All(required, name => Assert.Contains(name, mapped));
        Assert.Equal("${AZURE_ENV_NAME}", Value(file, "environmentName"));
        Assert.Equal("${AZURE_LOCATION}", Value(file, "location"));
        Assert.Equal("${AZURE_PRINCIPAL_ID}", Value(file, "principalId"));

        // The service's settings go in one object, each field one the object's type declares (a misspelt one would fail
        // the deployment), each from an azd environment variable with the template's default as fallback.
        var type = template.Main.Template.GetProperty("definitions").GetProperty("AppSettingsInput").GetProperty("properties");
        var defaults = template.Main.Template.GetProperty("variables").GetProperty("appSettingDefaults");
        var appSettings = file.RootElement.GetProperty("parameters").GetProperty("appSettings").GetProperty("value").EnumerateObject().ToList();
        Assert.NotEmpty(appSettings);
        Assert.All(appSettings, field =>
        {
            Assert.True(type.TryGetProperty(field.Name, out _), $"{field.Name} is not a field of appSettings");
            Assert.Matches("^\\$\\{FUNCAUTH_[A-Z_]+=(.*)\\}$", field.Value.GetString());
            Assert.Equal("=" + defaults.GetProperty(field.Name).GetString() + "}", field.Value.GetString()![field.Value.GetString()!.IndexOf('=', StringComparison.Ordinal)..]);
        });
    }

    [Fact]
    public void AzdDeploysTheZipThePackageScriptBuilds()
    {
        var azureYaml = File.ReadAllText(RepoRoot.File("azure.yaml"));
        var packageScript = File.ReadAllText(RepoRoot.File("infra", "scripts", "package.sh"));

        var dist = YamlValue(azureYaml, "dist");
        Assert.Equal("function", YamlValue(azureYaml, "host"));
        Assert.Equal("custom", YamlValue(azureYaml, "language"));
        Assert.EndsWith(".zip", dist);
        Assert.Contains($"zip_file=\"${{FUNCAUTH_PACKAGE:-{dist}}}\"", packageScript);
    }

    [Theory]
    [InlineData("package.sh")]
    [InlineData("create-signing-key.sh")]
    [InlineData("rotate-signing-key.sh")]
    [InlineData("grant-deploy-identity.sh")]
    public void HookScriptsAreExecutable(string script)
    {
        // azd runs a posix hook file directly, so it needs its execute bit.
        var mode = File.GetUnixFileMode(RepoRoot.File("infra", "scripts", script));
        Assert.True((mode & UnixFileMode.UserExecute) != 0, $"{script} is not executable");
    }

    [Fact]
    public void SigningKeyScriptsNeverPutTheKeyOnACommandLine()
    {
        foreach (var script in new[] { "create-signing-key.sh", "rotate-signing-key.sh" })
        {
            var text = File.ReadAllText(RepoRoot.File("infra", "scripts", script));
            Assert.DoesNotContain("--value", text);
            Assert.Contains("--file /dev/stdin", text);
            Assert.Contains("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256", text);
        }
    }

    private static string Value(JsonDocument file, string name) =>
        file.RootElement.GetProperty("parameters").GetProperty(name).GetProperty("value").GetString()!;

    private static string YamlValue(string yaml, string key)
    {
        var match = Regex.Match(yaml, $@"^\s+{key}:\s*(\S+)\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, $"azure.yaml has no {key}");
        return match.Groups[1].Value;
    }
}
