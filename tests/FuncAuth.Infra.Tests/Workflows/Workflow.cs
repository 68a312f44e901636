using YamlDotNet.RepresentationModel;

namespace FuncAuth.Infra.Tests.Workflows;

/// <summary>A GitHub Actions workflow of .github/workflows, parsed as YAML, with its text for line-level checks.</summary>
internal sealed class Workflow
{
    private Workflow(string path, string text, YamlMappingNode root)
    {
        Path = path;
        Text = text;
        Root = root;
    }

    public static string Folder => RepoRoot.File(".github", "workflows");

    /// <summary>File name, e.g. ci.yml.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    public string Path { get; }

    public string Text { get; }

    public YamlMappingNode Root { get; }

    public IEnumerable<Job> Jobs =>
        Mapping(Root, "jobs")?.Children.Select(j => new Job(this, ((YamlScalarNode)j.Key).Value!, (YamlMappingNode)j.Value)) ?? [];

    public static IReadOnlyList<Workflow> All() =>
        Directory.EnumerateFiles(Folder)
            .Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(Load)
            .ToList();

    public static Workflow Named(string fileName) => Load(System.IO.Path.Combine(Folder, fileName));

    public static Workflow Parse(string path, string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        Assert.True(stream.Documents.Count == 1, $"{path}: expected one YAML document");
        return new Workflow(path, text, (YamlMappingNode)stream.Documents[0].RootNode);
    }

    private static Workflow Load(string path) => Parse(path, File.ReadAllText(path));

    public static YamlMappingNode? Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlMappingNode : null;

    public static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    /// <summary>A permissions block as name → level; "read-all" and the like become a single entry named "*".</summary>
    public static IReadOnlyDictionary<string, string>? Permissions(YamlMappingNode node) => Child(node, "permissions") switch
    {
        null => null,
        YamlScalarNode scalar => new Dictionary<string, string> { ["*"] = scalar.Value ?? "" },
        YamlMappingNode map => map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? ""),
        _ => throw new InvalidOperationException("permissions is neither a scalar nor a mapping"),
    };

    public sealed record Job(Workflow Workflow, string Id, YamlMappingNode Node)
    {
        public IReadOnlyDictionary<string, string>? Permissions => Workflow.Permissions(Node);

        public IEnumerable<YamlMappingNode> Steps =>
            Child(Node, "steps") is YamlSequenceNode steps ? steps.Children.OfType<YamlMappingNode>() : [];

        /// <summary>Every action or reusable workflow the job calls: the job's own uses and each step's.</summary>
        public IEnumerable<string> Uses =>
            Steps.Select(s => Scalar(s, "uses")).Prepend(Scalar(Node, "uses")).OfType<string>();

        public bool LogsInToAzure => Uses.Any(u => u.StartsWith("azure/login@", StringComparison.OrdinalIgnoreCase));

        public override string ToString() => $"{Workflow.Name}: {Id}";
    }
}
