using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;

namespace FuncAuth.Benchmarks.Load;

/// <summary>
/// Cold start of two published builds in one run, alternating: process start to the first 200 from /api/health, then
/// the first login of that fresh process (the user signed up beforehand by another process), and the login after it
/// as the warm reference. Also the size of each package as deployed: the publish folder zipped, without symbol files.
/// </summary>
internal static class ColdStartBench
{
    /// <summary>
    /// coldstart [N] --app aot=DIR --app r2r=DIR [--env NAME:KEY=VALUE ...] (the first is the numerator of the ratio;
    /// --env runs one of them under extra environment variables, so one build can be started under two GC modes).
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 10;
        if (args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n))
        {
            runs = n;
            args = args[1..];
        }

        var options = LoadOptions.Parse(args, [1], []);
        var apps = options.Apps;
        if (apps.Count != 2)
        {
            Console.Error.WriteLine("coldstart: give two --app NAME=PUBLISH_FOLDER (the first is divided by the second)");
            return 2;
        }

        Console.WriteLine("Package size (zip of the publish folder without *.dbg/*.pdb, as deployed)");
        foreach (var (name, folder) in apps)
        {
            var (files, bytes, zipped) = PackageSize(folder);
            Console.WriteLine("  {0,-6} {1,5} files  {2,8:N1} MB unpacked  {3,8:N1} MB zipped", name, files, bytes / 1e6, zipped / 1e6);
        }

        Console.WriteLine();
        Console.WriteLine("Cold start: {0} starts of each, alternating; load average {1}; {2} cores", runs, ProcStats.LoadAverage(), Environment.ProcessorCount);
        await using var storage = await LoadStorage.StartAsync();
        var prefix = "c" + Guid.NewGuid().ToString("N")[..10];
        var signingKey = PublishedApp.NewSigningKey();
        const string email = "cold@example.com";
        await storage.CreateTablesAsync(prefix);

        // Tables created and the user signed up by a process that is not measured.
        await using (var warm = PublishedApp.Start(apps[0].Folder, storage.ConnectionString, signingKey, prefix))
        {
            await warm.WaitHealthyAsync(TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20));
            using var signup = await warm.Client.PostAsync("/api/auth/signup", LoadBench.Json(LoadBench.SignupBody(email)));
            if (signup.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException("Signup failed: " + (int)signup.StatusCode);
            }
        }

        var samples = apps.ToDictionary(a => a.Name, _ => new List<Sample>());
        for (var i = 0; i < runs; i++)
        {
            // Alternate which goes first, so neither always follows the other's page-cache and CPU footprint.
            var order = i % 2 == 0 ? apps : [apps[1], apps[0]];
            foreach (var (name, folder) in order)
            {
                samples[name].Add(await MeasureAsync(folder, storage.ConnectionString, signingKey, prefix, email, options.EnvironmentOf(name)));
            }
        }

        Console.WriteLine("{0,-6} {1,14} {2,14} {3,14} {4,14} {5,14} {6,12}", "", "start→answer", "start→200 ms", "first login", "warm login", "first−warm", "RSS MiB");
        foreach (var (name, _) in apps)
        {
            var s = samples[name];
            Console.WriteLine("{0,-6} {1,14:N1} {2,14:N1} {3,14:N1} {4,14:N1} {5,14:N1} {6,12:N1}", name,
                LoadBench.Median(s.Select(x => x.Listening)), LoadBench.Median(s.Select(x => x.Healthy)), LoadBench.Median(s.Select(x => x.FirstLogin)), LoadBench.Median(s.Select(x => x.WarmLogin)),
                LoadBench.Median(s.Select(x => x.FirstLogin - x.WarmLogin)), LoadBench.Median(s.Select(x => x.RssKib / 1024.0)));
        }

        var (a, b) = (samples[apps[0].Name], samples[apps[1].Name]);
        Console.WriteLine("ratio {0}/{1}: start→200 x{2:N2}, first login x{3:N2}, first−warm x{4:N2} (medians; load average now {5})", apps[0].Name, apps[1].Name,
            LoadBench.Median(a.Select(x => x.Healthy)) / LoadBench.Median(b.Select(x => x.Healthy)),
            LoadBench.Median(a.Select(x => x.FirstLogin)) / LoadBench.Median(b.Select(x => x.FirstLogin)),
            LoadBench.Median(a.Select(x => x.FirstLogin - x.WarmLogin)) / LoadBench.Median(b.Select(x => x.FirstLogin - x.WarmLogin)),
            ProcStats.LoadAverage());
        Console.WriteLine("start→answer: Process.Start to the first answer of any status from GET /api/health (polled every 2 ms); start→200: to");
        Console.WriteLine("its first 200 (storage and signing key ready); first login: the next request, a login");
        Console.WriteLine("of an existing user; warm login: median of 3 logins after it (hash included in all login figures); RSS: VmRSS after them.");
        return 0;
    }

    private static async Task<Sample> MeasureAsync(string folder, string connectionString, string signingKey, string prefix, string email, IReadOnlyDictionary<string, string> environment)
    {
        var clock = Stopwatch.StartNew();
        await using var app = PublishedApp.Start(folder, connectionString, signingKey, prefix, environment);
        // The first answer of any status is the process listening; the first 200 is storage and the signing key ready too.
        double? listening = null;
        while (true)
        {
            try
            {
                using var response = await app.Client.GetAsync("/api/health");
                listening ??= clock.Elapsed.TotalMilliseconds;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (!app.Process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            await Task.Delay(2);
        }

        var healthy = clock.Elapsed.TotalMilliseconds;
        var first = await LoginAsync(app, email);
        var warm = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            warm.Add(await LoginAsync(app, email));
        }

        return new Sample(listening.Value, healthy, first, LoadBench.Median(warm), ProcStats.StatusKib(app.Process.Id, "VmRSS"));
    }

    private static async Task<double> LoginAsync(PublishedApp app, string email)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await app.Client.PostAsync("/api/auth/login", LoadBench.Json(LoadBench.LoginBody(email)));
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return response.StatusCode == HttpStatusCode.OK ? elapsed : throw new InvalidOperationException("Login failed: " + (int)response.StatusCode);
    }

    /// <summary>Files, bytes and zipped bytes of a publish folder as it is deployed: symbol files left out.</summary>
    public static (int Files, long Bytes, long Zipped) PackageSize(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".dbg", StringComparison.Ordinal) && !f.EndsWith(".pdb", StringComparison.Ordinal)).ToList();
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in files)
            {
                archive.CreateEntryFromFile(file, Path.GetRelativePath(folder, file), CompressionLevel.Optimal);
            }
        }

        return (files.Count, files.Sum(f => new FileInfo(f).Length), zip.Length);
    }

    private sealed record Sample(double Listening, double Healthy, double FirstLogin, double WarmLogin, long RssKib);
}
