using System.Text.Json;
using System.Text.Json.Serialization;

namespace FuncAuth.Core.Audit;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
