using System.Diagnostics;
using System.Reflection;

namespace FuncAuth.Infra.Tests;

/// <summary>The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package that restore brought in.</summary>
internal static class BicepCli
{
    private const string PackageId = "azure.bicep.commandline.linux-x64";

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Locate())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} took over two minutes.");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    private static string Locate()
    {
        var candidates = new List<string>();
        var baked = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepPackagePath")?.Value;
        if (!string.IsNullOrEmpty(baked))
        {
            candidates.Add(Path.Combine(baked, "tools", "bicep"));
        }

        // Fallback for a build whose restore ran elsewhere: the NuGet global packages folder of this machine.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var packageFolder = Path.Combine(packages, PackageId);
        if (Directory.Exists(packageFolder))
        {
            candidates.AddRange(Directory.GetDirectories(packageFolder)
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "tools", "bicep")));
        }

        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"Bicep CLI not found (looked at: {string.Join(", ", candidates)}); run dotnet restore.");
        return EnsureExecutable(path);
    }

    // NuGet does not promise to keep the execute bit when it extracts a package.
    private static string EnsureExecutable(string path)
    {
        const UnixFileMode executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) != 0)
        {
            return path;
        }

        try
        {
            File.SetUnixFileMode(path, mode | executable);
            return path;
        }
        catch (UnauthorizedAccessException)
        {
            // Someone else's package folder: run a private copy instead.
            var copy = Path.Combine(Path.GetTempPath(), $"funcauth-bicep-{Environment.ProcessId}");
            File.Copy(path, copy, overwrite: true);
            File.SetUnixFileMode(copy, mode | executable | UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return copy;
        }
    }
}
