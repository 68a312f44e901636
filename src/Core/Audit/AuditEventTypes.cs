namespace FuncAuth.Core.Audit;

public static class AuditEventTypes
{
    private static readonly Dictionary<AuditEventType, string> Names = Enum.GetValues<AuditEventType>().ToDictionary(t => t, Snake);
    private static readonly Dictionary<string, AuditEventType> ByName = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>The wire name: <c>login_succeeded</c> for <see cref="AuditEventType.LoginSucceeded"/>.</summary>
    public static string Name(this AuditEventType type) => Names[type];

    public static AuditEventType? Parse(string? name) => name is not null && ByName.TryGetValue(name, out var type) ? type : null;

    public static IReadOnlyCollection<string> All => Names.Values;

    private static string Snake(AuditEventType type)
    {
        var text = type.ToString();
        var builder = new System.Text.StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsUpper(text[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(text[i]));
        }

        return builder.ToString();
    }
}
