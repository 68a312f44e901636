namespace FuncAuth.Infra.Tests;

/// <summary>The repository checkout the tests run from: the folder holding FuncAuth.sln.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    public static string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "FuncAuth.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No FuncAuth.sln above {AppContext.BaseDirectory}.");
    }
}
