using System.Text.Json;
using System.Text.Json.Serialization;

namespace FuncAuth.Core.Email;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OutboxMessage))]
internal sealed partial class OutboxJsonContext : JsonSerializerContext;
