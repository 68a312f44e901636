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
        "DeleteAccount", "FindUsers", "DisableUser", "EnableUser", "SendEmail"];

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
        var port = AzuriteFixture.FreePort();
        var start = new ProcessStartInfo(published.Executable)
        {
            WorkingDirectory = published.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        start.Environment["PORT"] = "1"; // The Functions host's port wins over PORT.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Storage__ConnectionString"] = published.Azurite.ConnectionString;
        start.Environment["Storage__TablePrefix"] = "p" + Guid.NewGuid().ToString("N")[..10];
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var clock = Stopwatch.StartNew();
            await WaitForHealthyAsync(client, TimeSpan.FromSeconds(30));
            // The host gives a custom handler 60 s to open its port; this must be a small fraction of that.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));

            using var response = await client.PostAsJsonAsync("/CleanupExpiredTokens", new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.ReadJsonAsync();
            Assert.StartsWith("Removed 0 ", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task OutsideDevelopmentTheExecutableRefusesToStartWithoutKeyVaultInOneLine()
    {
        var (exitCode, output) = await PublishedAppFixture.RunAsync(published.Executable, [], TimeSpan.FromSeconds(30), new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage__ConnectionString"] = published.Azurite.ConnectionString,
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = AzuriteFixture.FreePort().ToString(),
        });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("FuncAuth cannot start:", line, StringComparison.Ordinal);
        Assert.Contains("KeyVault__Uri", line, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", line, StringComparison.Ordinal);
    }

    private static async Task WaitForHealthyAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var health = await client.GetAsync("/api/health");
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "The published app did not become healthy in time.");
            await Task.Delay(100);
        }
    }
}
