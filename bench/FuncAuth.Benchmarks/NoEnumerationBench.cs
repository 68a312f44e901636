using System.Globalization;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FuncAuth.Core;
using FuncAuth.Core.Accounts.Lifecycle;
using FuncAuth.Core.Email;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using FuncAuth.Tests.Support;

namespace FuncAuth.Benchmarks;

/// <summary>
/// "About the same time" (docs/api.md, account lifecycle): forgot, resend and sign-up with verification required, for a registered and an
/// unknown address, against a real Azurite (tables and queue) started here. Runs alternate between the two cases so
/// that drift on a busy machine hits both alike; the figure is the ratio of the medians (target 0.9–1.1).
/// Run: dotnet run -c Release --project bench/FuncAuth.Benchmarks -- no-enumeration [runs]
/// </summary>
internal static class NoEnumerationBench
{
    private const string Password = "correct horse battery staple";

    public static async Task RunAsync(int runs)
    {
        var root = FindRoot();
        var ports = LoopbackPorts.FreePorts(2);
        var (tablePort, queuePort) = (ports[0], ports[1]);
        using var tables = LocalProcesses.StartNode(Path.Combine(root, "node_modules/azurite/dist/src/table/main.js"), "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        using var queues = LocalProcesses.StartNode(Path.Combine(root, "node_modules/azurite/dist/src/queue/main.js"), "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        try
        {
            await LocalProcesses.WaitForPortAsync(tablePort, TimeSpan.FromMinutes(3), tables);
            await LocalProcesses.WaitForPortAsync(queuePort, TimeSpan.FromMinutes(3), queues);
            const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;",
                ["Email:SmtpHost"] = "127.0.0.1",
                ["Email:From"] = "bench@example.com",
                ["Email:LinkBaseUrl"] = "https://app.example.com",
                ["Auth:RequireEmailVerification"] = "true",
                // No internet, and no network time in the figures.
                ["Passwords:BreachCheck"] = "false",
            }).Build();
            await using var services = new ServiceCollection().AddLogging().AddFuncAuthCore(configuration, isDevelopment: true).BuildServiceProvider();
            await services.GetRequiredService<AuthTables>().EnsureCreatedAsync(CancellationToken.None);
            var accounts = services.GetRequiredService<AccountService>();
            // Same length as the unknown addresses, so the queued messages are the same size.
            var registered = $"registered-{Guid.NewGuid():N}@example.com";
            await accounts.SignupWithVerificationAsync(registered, Password, Password, null, CancellationToken.None);

            Console.WriteLine("No enumeration: registered vs unknown address (ms, median of {0}, alternating)", runs);
            await CompareAsync("forgot", runs, email => accounts.RequestEmailAsync(EmailKinds.ResetPassword, email, CancellationToken.None), registered);
            await CompareAsync("resend", runs, email => accounts.RequestEmailAsync(EmailKinds.VerifyEmail, email, CancellationToken.None), registered);
            await CompareAsync("signup, verification required", runs, email => accounts.SignupWithVerificationAsync(email, Password, Password, null, CancellationToken.None), registered);
        }
        finally
        {
            tables.Kill(entireProcessTree: true);
            queues.Kill(entireProcessTree: true);
        }
    }

    private static async Task CompareAsync(string name, int runs, Func<string, Task> action, string registered)
    {
        await action(registered);
        await action(Unknown());
        var known = new double[runs];
        var unknown = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            known[i] = await TimeAsync(() => action(registered));
            unknown[i] = await TimeAsync(() => action(Unknown()));
        }

        var ratio = Median(known) / Median(unknown);
        Console.WriteLine("  {0,-32} registered {1,8:N2}  unknown {2,8:N2}  ratio x{3:N2}  {4}", name, Median(known), Median(unknown), ratio,
            ratio is >= 0.9 and <= 1.1 ? "within 0.9-1.1" : "OUTSIDE 0.9-1.1");
    }

    private static string Unknown() => $"unknown-00-{Guid.NewGuid():N}@example.com";

    internal static async Task<double> TimeAsync(Func<Task> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    internal static double Median(double[] samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FuncAuth.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FuncAuth.sln not found.");
    }
}
