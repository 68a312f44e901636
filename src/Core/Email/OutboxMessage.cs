using System.Text.Json;
using System.Text.Json.Serialization;

namespace FuncAuth.Core.Email;

/// <summary>
/// One queued email: what to send and to which address, never a token or a link. The sender reads the account when it
/// sends and mints the token then, so nothing in the queue can be used to verify an address or reset a password.
/// </summary>
public sealed record OutboxMessage(string Kind, string To)
{
    public string ToJson() => JsonSerializer.Serialize(this, OutboxJsonContext.Default.OutboxMessage);

    /// <summary>The message, or null when the text is not one (then it is dropped, not retried).</summary>
    public static OutboxMessage? TryParse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 4096)
        {
            return null;
        }

        try
        {
            var message = JsonSerializer.Deserialize(text, OutboxJsonContext.Default.OutboxMessage);
            return message is { To: { Length: > 0 } } && EmailKinds.IsKnown(message.Kind) ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
