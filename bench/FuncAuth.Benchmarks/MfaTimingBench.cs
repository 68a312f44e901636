using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using FuncAuth.Core;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.Benchmarks;

/// <summary>
/// "A wrong password answers the same with and without MFA" (docs/api.md, second factor): login with a wrong password
/// to an account with TOTP on and to one without, against a real Azurite started here. Runs alternate between the two
/// accounts so that drift on a busy machine hits both alike; the figure is the ratio of the medians (target 0.9–1.1).
/// Run: dotnet run -c Release --project bench/FuncAuth.Benchmarks -- mfa-timing [runs]
/// </summary>
internal static class MfaTimingBench
{
    private const string Password = "correct horse battery staple";
    private const string WrongPassword = "not the right password at all";

    public static async Task RunAsync(int runs)
    {
        var root = NoEnumerationBench.FindRoot();
        var tablePort = LoopbackPorts.FreePorts(1)[0];
        using var tables = LocalProcesses.StartNode(Path.Combine(root, "node_modules/azurite/dist/src/table/main.js"), "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck");
        try
        {
            await LocalProcesses.WaitForPortAsync(tablePort, TimeSpan.FromMinutes(3), tables);
            const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
            var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] = connection,
                ["Passwords:BreachCheck"] = "false",
            }).Build();
            await using var services = new ServiceCollection().AddLogging().AddFuncAuthCore(configuration, isDevelopment: true).BuildServiceProvider();
            await services.GetRequiredService<AuthTables>().EnsureCreatedAsync(CancellationToken.None);
            var accounts = services.GetRequiredService<AccountService>();
            var plain = $"plain-{Guid.NewGuid():N}@example.com";
            var withMfa = $"totp0-{Guid.NewGuid():N}@example.com";
            foreach (var email in new[] { plain, withMfa })
            {
                _ = await accounts.SignupAsync(email, Password, Password, null, CancellationToken.None);
            }

            // TOTP on, as confirmation leaves the account: only the flag matters before the password is right.
            var users = new TableServiceClient(connection).GetTableClient(AuthTables.UsersTable);
            await users.UpsertEntityAsync(new TableEntity(EmailAddress.StorageKey(EmailAddress.Normalize(withMfa)), "") { ["TotpEnabled"] = true }, TableUpdateMode.Merge);
            if (await accounts.LoginAsync(withMfa, Password, CancellationToken.None) is not LoginResult.MfaRequired)
            {
                throw new InvalidOperationException("The MFA account does not ask for a second factor.");
            }

            var with = new double[runs];
            var without = new double[runs];
            await accounts.LoginAsync(plain, WrongPassword, CancellationToken.None);
            await accounts.LoginAsync(withMfa, WrongPassword, CancellationToken.None);
            for (var i = 0; i < runs; i++)
            {
                without[i] = await NoEnumerationBench.TimeAsync(() => accounts.LoginAsync(plain, WrongPassword, CancellationToken.None));
                with[i] = await NoEnumerationBench.TimeAsync(() => accounts.LoginAsync(withMfa, WrongPassword, CancellationToken.None));
            }

            var ratio = NoEnumerationBench.Median(with) / NoEnumerationBench.Median(without);
            Console.WriteLine("Wrong password, account with TOTP vs without (ms, median of {0}, alternating)", runs);
            Console.WriteLine("  {0,-32} with {1,8:N2}  without {2,8:N2}  ratio x{3:N2}  {4}", "login, wrong password", NoEnumerationBench.Median(with), NoEnumerationBench.Median(without), ratio,
                ratio is >= 0.9 and <= 1.1 ? "within 0.9-1.1" : "OUTSIDE 0.9-1.1");
        }
        finally
        {
            tables.Kill(entireProcessTree: true);
        }
    }
}
