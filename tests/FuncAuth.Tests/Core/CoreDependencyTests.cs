using FuncAuth.Core.Passwords;

namespace FuncAuth.Tests.Core;

public sealed class CoreDependencyTests
{
    [Fact]
    public void CoreReferencesNoAspNetCoreAssembly()
    {
        var references = typeof(PasswordHashing).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();

        Assert.Contains("Microsoft.Extensions.Identity.Core", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
