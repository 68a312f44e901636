using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed partial class SecretHygieneTests(CompiledTemplate template)
{
    [Fact]
    public void TemplateCallsNoListFunction() =>
        Assert.DoesNotMatch(ListCall(), template.Json);

    [Fact]
    public void TemplateHoldsNoStorageKeyOrSigningKeySetting()
    {
        Assert.DoesNotContain("AccountKey=", template.Json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SharedAccessSignature", template.Json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Storage__ConnectionString", template.Json);
        Assert.DoesNotContain("Auth__SigningKey", template.Json);
    }

    [Fact]
    public void NoOutputIsOrCarriesASecret() =>
        Assert.All(template.Main.All.SelectMany(Outputs), output =>
        {
            Assert.DoesNotMatch(SecretName(), output.Name);
            Assert.DoesNotMatch("^secure", output.Value.GetProperty("type").GetString()!);
            Assert.DoesNotMatch(SecretValue(), output.Value.GetProperty("value").ToString());
        });

    [Fact]
    public void NoParameterDefaultHoldsASecret() =>
        Assert.All(template.Main.All.SelectMany(Parameters), parameter =>
        {
            var hasDefault = parameter.Value.TryGetProperty("defaultValue", out var fallback)
                && fallback.ToString().Length > 0;
            Assert.False(hasDefault && SecretName().IsMatch(parameter.Name), $"{parameter.Name} has a default");
            // A parameter of a user-defined type has "$ref" instead of "type"; no such type is secure.
            Assert.False(hasDefault && parameter.Value.TryGetProperty("type", out var type) && type.GetString()!.StartsWith("secure", StringComparison.Ordinal), $"{parameter.Name} has a default");
        });

    [Fact]
    public void ParametersFileOnlyReferencesEnvironmentValues()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(RepoRoot.File("infra", "main.parameters.json")));
        var parameters = file.RootElement.GetProperty("parameters").EnumerateObject().ToList();

        Assert.NotEmpty(parameters);
        // An object parameter (appSettings) is held to the same rule field by field.
        var values = parameters.SelectMany(p => p.Value.GetProperty("value") is { ValueKind: JsonValueKind.Object } fields
            ? fields.EnumerateObject().Select(f => (Name: $"{p.Name}.{f.Name}", Value: f.Value)).Prepend((Name: p.Name, Value: p.Value.GetProperty("value")))
            : [(Name: p.Name, Value: p.Value.GetProperty("value"))]).ToList();
        Assert.Contains(values, v => v.Name.StartsWith("appSettings.", StringComparison.Ordinal));
        Assert.All(values, v =>
        {
            Assert.DoesNotMatch(SecretName(), v.Name);
            if (v.Value.ValueKind != JsonValueKind.Object)
            {
                Assert.Matches(@"^\$\{[A-Z_]+(=[^}]*)?\}$", v.Value.GetString()!);
            }
        });
    }

    private static IEnumerable<JsonProperty> Outputs(ArmModule module) =>
        module.Template.TryGetProperty("outputs", out var outputs) ? outputs.EnumerateObject() : [];

    private static IEnumerable<JsonProperty> Parameters(ArmModule module) =>
        module.Template.TryGetProperty("parameters", out var parameters) ? parameters.EnumerateObject() : [];

    // Names that would hold key material; "...Name", "...Uri" and "...Id" only point at where a secret lives.
    [GeneratedRegex(@"(?i)(password|secret|connectionstring|accountkey|accesskey|apikey|signingkey|sastoken)(?!.*(name|uri|url|id)$)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?i)\blist\w*\(|ConnectionString|secrets/")]
    private static partial Regex SecretValue();

    [GeneratedRegex(@"\blist\w*\(")]
    private static partial Regex ListCall();
}
