using System.Text.Json;
using FuncAuth.Core.Email;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions;

/// <summary>
/// The queue-triggered function. The Functions host invokes it as POST /SendEmail with the custom-handler payload
/// (<c>Data.message</c> is the queue message) from the same machine. A failure answers 503, so the host counts the
/// try as failed: the message reappears, and after the queue's maximum dequeue count it moves to the poison queue.
/// Like the timer, it answers the host's own invocations only (<see cref="HostInvocations"/>).
/// </summary>
public static class SendEmailFunction
{
    public static IEndpointRouteBuilder MapSendEmail(this IEndpointRouteBuilder app)
    {
        app.MapPost("/SendEmail", HandleAsync).WithName("SendEmail").RequireHostInvocation();
        return app;
    }

    public static async Task<Results<Ok<InvocationResponse>, ProblemHttpResult>> HandleAsync(
        JsonElement payload, EmailDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var outcome = await dispatcher.DispatchAsync(MessageText(payload), DequeueCount(payload), cancellationToken);
        return TypedResults.Ok(new InvocationResponse(new Dictionary<string, object?>(), [$"Outbox message {outcome.ToString().ToLowerInvariant()}."], null));
    }

    /// <summary>Which try this is (the host's <c>Metadata.DequeueCount</c>, a number or a numeric string); 1 when absent.</summary>
    private static long DequeueCount(JsonElement payload)
    {
        if (payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("Metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("DequeueCount", out var count))
        {
            if (count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out var number))
            {
                return number;
            }

            if (count.ValueKind == JsonValueKind.String && long.TryParse(count.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number))
            {
                return number;
            }
        }

        return 1;
    }

    /// <summary>The queue message: the host passes it as a string, or as the parsed JSON when it is JSON.</summary>
    private static string? MessageText(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("Data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("message", out var message))
        {
            return null;
        }

        return message.ValueKind == JsonValueKind.String ? message.GetString() : message.GetRawText();
    }
}
