using System.IO.Compression;

namespace FuncAuth.Tests.Http;

/// <summary>The deployment zip infra/scripts/package.sh builds, from the publish output the fixture already made with the same command.</summary>
[Collection(PublishedAppCollection.Name)]
public sealed class PackageTests(PublishedAppFixture published)
{
    private const long MaxZippedBytes = 40L * 1024 * 1024;

    [Fact]
    public async Task ThePackageIsTheNativeAotBuildUnder40MbWithoutSymbolsAndWithItsExecuteBit()
    {
        // The project keeps symbols out of the publish output and package.sh leaves out any that get there: the zip is
        // checked either way.
        var zip = Path.Combine(Path.GetTempPath(), "funcauth-package-" + Guid.NewGuid().ToString("N")[..8] + ".zip");
        try
        {
            var (exitCode, output) = await PublishedAppFixture.RunAsync("bash", [Support.RepoPaths.Combine("infra", "scripts", "package.sh")], TimeSpan.FromMinutes(2),
                new Dictionary<string, string> { ["FUNCAUTH_PACKAGE"] = zip, ["FUNCAUTH_PUBLISH_OUTPUT"] = published.Directory });
            Assert.True(exitCode == 0, "package.sh failed:\n" + output);

            var size = new FileInfo(zip).Length;
            Assert.True(size < MaxZippedBytes, $"the package is {size / 1e6:N1} MB zipped; the budget is 40 MiB");
            using var archive = ZipFile.OpenRead(zip);
            Assert.DoesNotContain(archive.Entries, e => e.FullName.EndsWith(".dbg", StringComparison.Ordinal) || e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
            // Native AOT: one executable, no runtime and no IL beside it.
            Assert.DoesNotContain(archive.Entries, e => e.Name is "libcoreclr.so" or "FuncAuth.Functions.dll" or "System.Private.CoreLib.dll");
            var executable = Assert.Single(archive.Entries, e => e.FullName == "FuncAuth.Functions");
            Assert.True(((executable.ExternalAttributes >> 16) & 0b001_001_001) != 0, "the executable lost its execute bit in the zip");
            Assert.Contains(archive.Entries, e => e.FullName == "host.json");
            Assert.Contains(archive.Entries, e => e.FullName == "Login/function.json");
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
