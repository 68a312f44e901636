using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FuncAuth.Tests.Support;

/// <summary>Counts the Table Storage calls the app makes (per logical call: retries are not counted twice).</summary>
public sealed class StorageRequestCounter : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<string> _requests = new();

    public IReadOnlyList<string> Requests => [.. _requests];

    public int Count => _requests.Count;

    public void Reset() => _requests.Clear();

    /// <summary>
    /// A recorded request as "METHOD Table": the app's table prefix and the entity keys dropped, so a sequence of calls
    /// can be compared exactly ("GET Users", "POST $batch", ...).
    /// </summary>
    public static string Shape(string request)
    {
        var (method, path) = (request[..request.IndexOf(' ', StringComparison.Ordinal)], request[(request.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        var table = path[(path.LastIndexOf('/') + 1)..];
        var keys = table.IndexOf('(', StringComparison.Ordinal);
        table = keys < 0 ? table : table[..keys];
        // FuncAuthApp's prefix: "t" and ten hex digits.
        table = System.Text.RegularExpressions.Regex.Replace(table, "^t[0-9a-f]{10}", "");
        return method + " " + table;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Record(HttpMessage message) =>
        _requests.Enqueue($"{message.Request.Method} {Uri.UnescapeDataString(message.Request.Uri.Path)}");
}
