namespace FuncAuth.Infra.Tests;

/// <summary>The function app's app settings as the template writes them: name to (unevaluated) value.</summary>
internal static class AppSettings
{
    public static Dictionary<string, string> Of(CompiledTemplate template) =>
        template.Main.Single("Microsoft.Web/sites/config")
            .Properties.EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);
}
