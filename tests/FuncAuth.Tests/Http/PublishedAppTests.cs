using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>Publishes the app once (Native AOT, linux-x64) into a temporary folder, as a deployment would.</summary>
public sealed class PublishedAppFixture : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "funcauth-publish-" + Guid.NewGuid().ToString("N")[..8]);

    public string Executable => Path.Combine(Directory, "FuncAuth.Functions");

    public AzuriteFixture Azurite { get; } = new();

    /// <summary>What <c>dotnet publish</c> printed, warnings included.</summary>
    public string PublishOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var publish = await RunAsync("dotnet", ["publish", RepoPaths.Combine("src", "Functions"), "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", Directory, "-nologo"], TimeSpan.FromMinutes(20));
        Assert.True(publish.ExitCode == 0, "dotnet publish failed:\n" + publish.Output);
        PublishOutput = publish.Output;
        await Azurite.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output + await error);
    }
}

[CollectionDefinition(Name)]
public sealed class PublishedAppCollection : ICollectionFixture<PublishedAppFixture>
{
    public const string Name = "Published app";
}

[Collection(PublishedAppCollection.Name)]
public sealed class PublishedAppTests(PublishedAppFixture published)
{
    private static readonly string[] Functions = ["Signup", "Login", "Refresh", "Logout", "Me", "GetUser", "ForceLogout", "SetRoles", "Health", "CleanupExpiredTokens",
        "VerifyEmail", "ResendVerification", "ForgotPassword", "ResetPassword", "ChangePassword", "UpdateMe", "ListSessions", "DeleteSession",
        "DeleteAccount", "FindUsers", "DisableUser", "EnableUser", "SendEmail", "OpenApi"];

    [Fact]
    public void PublishProducesACompleteFunctionAppRoot()
    {
        Assert.True(File.Exists(published.Executable));
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(published.Executable).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal(File.ReadAllText(RepoPaths.Combine("host.json")), File.ReadAllText(Path.Combine(published.Directory, "host.json")));
        foreach (var function in Functions)
        {
            var path = Path.Combine(published.Directory, function, "function.json");
            Assert.True(File.Exists(path), $"{function}/function.json is missing from the publish output");
            Assert.Equal(File.ReadAllText(RepoPaths.Combine("src", "Functions", function, "function.json")), File.ReadAllText(path));
        }

        // Native AOT: the custom-handler image brings no .NET runtime, and the executable needs none.
        Assert.False(File.Exists(Path.Combine(published.Directory, "libcoreclr.so")));
        Assert.Empty(System.IO.Directory.GetFiles(published.Directory, "*.dll"));
    }

    [Fact]
    public async Task TheExecutableServesOnTheCustomHandlerPortAndAnswersTheTimerInvocation()
    {
        // The Functions host's port wins over PORT.
        await using var app = await PublishedProcess.StartAsync(published, new Dictionary<string, string> { ["PORT"] = "1" });
        var client = app.Client;
        // The host gives a custom handler 60 s to open its port; this must be a small fraction of that.
        Assert.True(app.StartedIn < TimeSpan.FromSeconds(30));

        // The published build serves the same OpenAPI document as the committed one.
        var document = (await client.GetStringAsync("/api/openapi.json")).ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
        Assert.True(File.ReadAllText(RepoPaths.Combine("docs", "openapi.json")).ReplaceLineEndings("\n") == document, "The published app serves another OpenAPI document than docs/openapi.json.");

        using var response = await client.PostAsJsonAsync("/CleanupExpiredTokens", new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.StartsWith("Removed 0 ", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideDevelopmentTheExecutableRefusesToStartWithoutKeyVaultInOneLine()
    {
        var (exitCode, output) = await PublishedAppFixture.RunAsync(published.Executable, [], TimeSpan.FromSeconds(30), new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage__ConnectionString"] = published.Azurite.ConnectionString,
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = LoopbackPorts.FreePort().ToString(),
        });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("FuncAuth cannot start:", line, StringComparison.Ordinal);
        Assert.Contains("KeyVault__Uri", line, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheExecutableWritesOneLinePerAuthEventAndNoneForTheRequestsThemselves()
    {
        await using var app = await PublishedProcess.StartAsync(published);
        var client = app.Client;
        var before = app.Lines.Count;
        try
        {
            var signup = await client.SignupAsync();
            var login = await client.LoginAsync(signup.Email);
            using var refresh = await client.RefreshAsync(login.RefreshToken);
            var refreshed = await Tokens.ReadAsync(refresh);
            using (var me = await client.GetAsync("/api/auth/me", refreshed.AccessToken))
            {
                Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            }

            using var logout = await client.SendAsync(Api.Authorized(HttpMethod.Delete, "/api/auth/logout", refreshed.AccessToken));
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }
        finally
        {
            await app.StopGracefullyAsync();
        }

        // Five successful requests: the four auth events (sign-up, login, refresh, logout), one line each, and nothing else.
        var written = app.Lines.Skip(before).ToList();
        Assert.True(
            written.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^info: FuncAuth\.Core\.Sessions\.\w+\[(\d+)\] \S").Groups[1].Value)
                .SequenceEqual(["1001", "1010", "1020", "1030"]),
            "Standard output during the requests:\n" + string.Join('\n', written));
    }
}
