using System.Globalization;

namespace FuncAuth.FaultSuite;

/// <summary>
/// The fault suite: <c>bash bench/fault-suite.sh</c> (full: 32 clients, about a minute of traffic) or
/// <c>bash bench/fault-suite.sh --short</c>. Loopback only; exits 1 when a target is missed. <c>--app-log PATH</c> keeps the
/// app's log lines (the report counts them per phase either way); <c>--samples PATH</c> every answer as CSV.
/// </summary>
public static class FaultSuiteProgram
{
    public static async Task<int> Main(string[] args)
    {
        var settings = args.Contains("--short") ? SuiteSettings.Quick : SuiteSettings.Full;
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--clients")
            {
                settings = settings with { Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture) };
            }
            else if (args[i] == "--deadline")
            {
                settings = settings with { RequestDeadline = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture)) };
            }
        }

        if (args.Contains("--hard-kill"))
        {
            settings = settings with { HardKill = true };
        }

        // --app-log PATH: the app's log lines as it would write them to its console (they are counted in any case).
        var appLogPath = Array.IndexOf(args, "--app-log") is var logAt and >= 0 && logAt + 1 < args.Length ? args[logAt + 1] : null;
        await using var appLog = appLogPath is null ? null : new StreamWriter(appLogPath);
        var report = await FaultSuiteRunner.RunAsync(settings, Console.Out, appLog);
        Console.WriteLine();
        Console.WriteLine(report.Render());
        var samplesPath = Array.IndexOf(args, "--samples") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        if (samplesPath is not null)
        {
            await File.WriteAllLinesAsync(samplesPath, report.Samples.OrderBy(s => s.Start).Select(s =>
                string.Create(CultureInfo.InvariantCulture, $"{s.Start:F3},{s.End:F3},{s.Operation},{s.Status},{s.Code}")).Prepend("start,end,operation,status,code"));
        }

        return report.Failures().Count == 0 ? 0 : 1;
    }
}
