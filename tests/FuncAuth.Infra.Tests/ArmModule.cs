using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncAuth.Infra.Tests;

/// <summary>One template of the compiled output: main, or a module nested in it as a deployment.</summary>
internal sealed partial class ArmModule
{
    private readonly JsonElement? _deployment;
    private readonly ArmModule? _parent;

    public ArmModule(string name, JsonElement template, JsonElement? deployment, ArmModule? parent)
    {
        Name = name;
        Template = template;
        _deployment = deployment;
        _parent = parent;
    }

    public string Name { get; }

    public JsonElement Template { get; }

    /// <summary>Resources of this template only, keyed by symbolic name (language version 2.0) or by name.</summary>
    public IEnumerable<ArmResource> Resources
    {
        get
        {
            var resources = Template.GetProperty("resources");
            if (resources.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in resources.EnumerateObject())
                {
                    yield return new ArmResource(property.Name, property.Value, this);
                }
            }
            else
            {
                foreach (var item in resources.EnumerateArray())
                {
                    yield return new ArmResource(item.GetProperty("name").ToString(), item, this);
                }
            }
        }
    }

    /// <summary>Modules of this template (nested deployments with an inline template).</summary>
    public IEnumerable<ArmModule> Modules =>
        Resources
            .Where(r => r.Type == "Microsoft.Resources/deployments" && r.Properties.TryGetProperty("template", out _))
            .Select(r => new ArmModule(r.Symbol, r.Properties.GetProperty("template"), r.Element, this));

    /// <summary>This template and every module below it.</summary>
    public IEnumerable<ArmModule> All => Modules.SelectMany(m => m.All).Prepend(this);

    /// <summary>Deployed (not <c>existing</c>) resources of a type, anywhere in the tree.</summary>
    public IReadOnlyList<ArmResource> Deployed(string type) =>
        All.SelectMany(m => m.Resources).Where(r => r.Type == type && !r.IsExisting).ToList();

    public ArmResource Single(string type)
    {
        var found = Deployed(type);
        Assert.True(found.Count == 1, $"expected one {type}, found {found.Count}");
        return found[0];
    }

    public ArmModule Module(string symbol) =>
        Modules.SingleOrDefault(m => m.Name == symbol) ?? throw new InvalidOperationException($"no module {symbol}");

    /// <summary>
    /// Follows a plain <c>[parameters('x')]</c> or <c>[variables('x')]</c> reference up through the modules to the value
    /// it finally stands for; anything else is returned as it is.
    /// </summary>
    public JsonElement Resolve(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value;
        }

        var text = value.GetString()!;
        if (ParameterReference().Match(text) is { Success: true } parameter)
        {
            return ResolveParameter(parameter.Groups[1].Value);
        }

        if (VariableReference().Match(text) is { Success: true } variable)
        {
            return Resolve(Template.GetProperty("variables").GetProperty(variable.Groups[1].Value));
        }

        // A field of an object parameter: parameters('settings').audience.
        if (ParameterField().Match(text) is { Success: true } field && ResolveParameter(field.Groups[1].Value) is { ValueKind: JsonValueKind.Object } owner)
        {
            return owner.TryGetProperty(field.Groups[2].Value, out var member) ? Resolve(member) : default;
        }

        // union(a, b) of two objects: b's fields over a's, as ARM merges them.
        if (UnionOfTwo().Match(text) is { Success: true } union)
        {
            var merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var part in new[] { union.Groups[1].Value, union.Groups[2].Value })
            {
                foreach (var property in Resolve(JsonSerializer.SerializeToElement("[" + part + "]")).EnumerateObject())
                {
                    merged[property.Name] = property.Value;
                }
            }

            return JsonSerializer.SerializeToElement(merged);
        }

        return value;
    }

    /// <summary>The value the parent template passes to this module's parameter, unresolved.</summary>
    public JsonElement Argument(string name) =>
        _deployment?.GetProperty("properties").GetProperty("parameters").GetProperty(name).GetProperty("value")
        ?? throw new InvalidOperationException($"{Name} is not a module");

    public JsonElement ResolveParameter(string name)
    {
        if (_deployment is { } deployment && _parent is not null)
        {
            var passed = deployment.GetProperty("properties").GetProperty("parameters");
            if (passed.TryGetProperty(name, out var argument))
            {
                return _parent.Resolve(argument.GetProperty("value"));
            }
        }

        var declared = Template.GetProperty("parameters").GetProperty(name);
        return declared.TryGetProperty("defaultValue", out var fallback) ? Resolve(fallback) : declared;
    }

    /// <summary>Replaces each <c>variables('x')</c> holding a plain string with that string, quoted.</summary>
    public string ExpandVariables(string expression) =>
        VariableCall().Replace(expression, m =>
            Template.GetProperty("variables").TryGetProperty(m.Groups[1].Value, out var v) && v.ValueKind == JsonValueKind.String
                ? $"'{v.GetString()}'"
                : m.Value);

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableCall();

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\.([A-Za-z0-9_]+)\]$")]
    private static partial Regex ParameterField();

    [GeneratedRegex(@"^\[union\(((?:variables|parameters)\('[^']+'\)), ((?:variables|parameters)\('[^']+'\))\)\]$")]
    private static partial Regex UnionOfTwo();
}

internal sealed record ArmResource(string Symbol, JsonElement Element, ArmModule Module)
{
    public string Type => Element.GetProperty("type").GetString()!;

    public bool IsExisting => Element.TryGetProperty("existing", out var existing) && existing.GetBoolean();

    public JsonElement Properties => Element.GetProperty("properties");

    /// <summary>The resource's name expression, resolved to what the parent templates pass in.</summary>
    public string ResolvedName => Module.Resolve(Element.GetProperty("name")).ToString();

    public JsonElement Get(string path)
    {
        var current = Element;
        foreach (var part in path.Split('.'))
        {
            Assert.True(current.TryGetProperty(part, out current), $"{Symbol} has no {path}");
        }

        return current;
    }
}
