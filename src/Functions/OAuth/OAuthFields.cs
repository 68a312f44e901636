using System.Text.Json;

namespace FuncAuth.Functions.OAuth;

/// <summary>
/// The parameters of an OAuth request, read from a form-encoded body (RFC 6749) or a JSON object (what clients built on
/// Doorkeeper's password flow send). A parameter without a value counts as absent (RFC 6749 §3.2); a repeated one, a
/// body of another type or one that does not parse is an <c>invalid_request</c>.
/// </summary>
public sealed class OAuthFields
{
    private readonly Dictionary<string, string> _values;

    private OAuthFields(Dictionary<string, string> values) => _values = values;

    public string? this[string name] => _values.GetValueOrDefault(name);

    /// <summary>The fields, or the error to answer with.</summary>
    public static async Task<(OAuthFields? Fields, OAuthError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.HasFormContentType && request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                return FromForm(await request.ReadFormAsync(cancellationToken));
            }

            if (request.HasJsonContentType())
            {
                using var json = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
                return FromJson(json.RootElement);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return (null, OAuthError.InvalidRequest("The body could not be read."));
        }

        return (null, OAuthError.InvalidRequest("Send the parameters as application/x-www-form-urlencoded or application/json."));
    }

    private static (OAuthFields?, OAuthError?) FromForm(IFormCollection form)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in form)
        {
            if (value.Count > 1)
            {
                return (null, Repeated(name));
            }

            if (!string.IsNullOrEmpty(value.ToString()))
            {
                values[name] = value.ToString();
            }
        }

        return (new OAuthFields(values), null);
    }

    private static (OAuthFields?, OAuthError?) FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, OAuthError.InvalidRequest("The body must be a JSON object."));
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                return (null, Repeated(property.Name));
            }

            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String when property.Value.GetString() is { Length: > 0 } text:
                    values[property.Name] = text;
                    break;
                case JsonValueKind.String or JsonValueKind.Null:
                    break;
                default:
                    return (null, OAuthError.InvalidRequest($"The parameter {Printable(property.Name)} must be a string."));
            }
        }

        return (new OAuthFields(values), null);
    }

    private static OAuthError Repeated(string name) => OAuthError.InvalidRequest($"The parameter {Printable(name)} is repeated.");

    // Names come from the client: echo short, plain ones only.
    private static string Printable(string name) =>
        name.Length <= 40 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? name : "(unnamed)";
}
