using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Tests.Support;

/// <summary>
/// A local stand-in for the Have I Been Pwned range API on 127.0.0.1: answers <c>GET /range/{prefix}</c> as the real
/// one does (suffix:count lines, padded with made-up suffixes of count 0) and records every request it receives, so
/// tests see exactly what left the service. It can be made slow or failing.
/// </summary>
public sealed class RangeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long> _hashes = new(StringComparer.Ordinal);

    private RangeServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Every request: path and query, and the headers that were sent.</summary>
    public ConcurrentQueue<(string PathAndQuery, IReadOnlyDictionary<string, string> Headers)> Requests { get; } = new();

    /// <summary>How long each answer waits before it starts.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The status of each answer; anything but 200 has no body.</summary>
    public int Status { get; set; } = StatusCodes.Status200OK;

    public static string Sha1Hex(string password) =>
#pragma warning disable CA5350 // the range API's own key, as in the app
        Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(password)));
#pragma warning restore CA5350

    /// <summary>Makes <paramref name="password"/> breached <paramref name="count"/> times; 0 makes it a padding entry.</summary>
    public void Add(string password, long count = 42) => _hashes[Sha1Hex(password)] = count;

    public static async Task<RangeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var url = $"http://127.0.0.1:{LoopbackPorts.FreePort()}";
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var server = new RangeServer(app, new Uri(url));
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        return server;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Requests.Enqueue((context.Request.Path + context.Request.QueryString, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = Status;
        var path = context.Request.Path.Value ?? "";
        if (Status != StatusCodes.Status200OK || !path.StartsWith("/range/", StringComparison.Ordinal))
        {
            return;
        }

        var prefix = path["/range/".Length..].ToUpperInvariant();
        var lines = _hashes.Where(h => h.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(h => $"{h.Key[5..]}:{h.Value}").ToList();
        for (var i = 0; i < 3; i++)
        {
            lines.Add($"{Convert.ToHexString(RandomNumberGenerator.GetBytes(18))[..35]}:0");
        }

        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(string.Join("\r\n", lines));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
