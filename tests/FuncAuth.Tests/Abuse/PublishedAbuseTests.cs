using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FuncAuth.Core.Passwords;
using FuncAuth.Tests.Http;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Abuse;

/// <summary>The published executable, run as the Functions host runs it: normalisation and the host-only route there.</summary>
[Collection(PublishedAppCollection.Name)]
public sealed class PublishedAbuseTests(PublishedAppFixture published) : IAsyncLifetime
{
    private const string TimerBody = """{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""";

    private PublishedProcess _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await PublishedProcess.StartAsync(published);
        _client = _app.Client;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private int Port => _client.BaseAddress!.Port;

    [Fact]
    public async Task AComposedAndADecomposedSpellingOfOnePasswordLogInAlike()
    {
        var email = Api.NewEmail();
        const string composed = "Cr\u00e8me br\u00fbl\u00e9e \u00e0 la cuill\u00e8re";
        var decomposed = composed.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(composed, decomposed);

        using var signup = await _client.PostJsonAsync("/api/auth/signup", new { email, password = decomposed, passwordConfirmation = decomposed });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);

        foreach (var spelling in new[] { composed, decomposed, composed.Normalize(NormalizationForm.FormKC) })
        {
            using var login = await _client.PostJsonAsync("/api/auth/login", new { email, password = spelling });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        using var other = await _client.PostJsonAsync("/api/auth/login", new { email, password = "Creme brulee a la cuillere" });
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task ACommonPasswordIsRefusedWithTheFieldError()
    {
        using var signup = await _client.PostJsonAsync("/api/auth/signup", new { email = Api.NewEmail(), password = "Password123", passwordConfirmation = "Password123" });

        var problem = await Problem.AssertAsync(signup, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(PasswordRules.CommonMessage, Assert.Single(problem.GetProperty("errors").GetProperty("password").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task TheCleanupRouteCannotBeReachedThroughTheProxyWhateverThePathSpelling()
    {
        string[] spellings =
        [
            "/CleanupExpiredTokens", "/cleanupexpiredtokens", "/CleanupExpiredTokens/", "/%43leanupExpiredTokens",
            "/Cleanup%45xpiredTokens", "//CleanupExpiredTokens", "/./CleanupExpiredTokens", "/api/../CleanupExpiredTokens",
            "/api/%2e%2e/CleanupExpiredTokens", "/api/%2E%2E/%43leanupExpiredTokens", "/api/auth/../../CleanupExpiredTokens",
        ];

        var reachedDirectly = 0;
        foreach (var path in spellings)
        {
            // As the host forwards a proxied request: the public Host and the front end's forwarding header.
            var proxied = await RawPostAsync(path, "Host: funcauth-abc.azurewebsites.net\r\nX-Forwarded-For: 203.0.113.9:50000\r\n");
            Assert.True(proxied is 404 or 400, $"{path} through the proxy answered {proxied}");

            // The same spelling with only the marks of the host's own invocation: where routing maps it to the
            // function it runs, so the refusal above was the guard and not the router.
            var direct = await RawPostAsync(path, $"Host: 127.0.0.1:{Port}\r\n");
            if (direct == 200)
            {
                reachedDirectly++;
            }
        }

        Assert.True(reachedDirectly >= 6, $"only {reachedDirectly} spellings reach the function at all");
        Assert.Equal(404, await RawPostAsync("/CleanupExpiredTokens", $"Host: 127.0.0.1:{Port}\r\nForwarded: for=203.0.113.9\r\n"));
        Assert.Equal(404, await RawPostAsync("/CleanupExpiredTokens", "Host: localhost.example.net\r\n"));
    }

    private async Task<int> RawPostAsync(string path, string headers)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Port);
        await using var stream = tcp.GetStream();
        var body = Encoding.UTF8.GetBytes(TimerBody);
        var head = $"POST {path} HTTP/1.1\r\n{headers}Content-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var status = await reader.ReadLineAsync() ?? "";
        return int.Parse(status.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
