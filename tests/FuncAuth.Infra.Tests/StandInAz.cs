using System.Diagnostics;

namespace FuncAuth.Infra.Tests;

/// <summary>
/// A stand-in <c>az</c> (a bash script the test supplies) first on the PATH of a script under test, in a temporary
/// folder that also receives what the stand-in records (<c>$AZ_LOG</c>).
/// </summary>
internal sealed class StandInAz : IDisposable
{
    public StandInAz(string script)
    {
        Folder = Directory.CreateTempSubdirectory("funcauth-az-").FullName;
        var az = Path.Combine(Folder, "bin", "az");
        Directory.CreateDirectory(Path.GetDirectoryName(az)!);
        File.WriteAllText(az, script.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Folder { get; }

    /// <summary>Runs infra/scripts/<paramref name="script"/> with bash, the stand-in first on the PATH.</summary>
    public (int Exit, string Output) Run(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepoRoot.File("infra", "scripts", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = Path.Combine(Folder, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["AZ_LOG"] = Folder;
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), $"{script} did not finish");
        return (process.ExitCode, output.Result + error.Result);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
