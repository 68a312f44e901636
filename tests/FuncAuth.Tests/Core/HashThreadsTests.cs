using System.Globalization;
using FuncAuth.Core.Passwords;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncAuth.Tests.Core;

/// <summary>Password hashes are computed on the process's low-priority hash threads; the caller sees their result as its own.</summary>
public sealed class HashThreadsTests
{
    [Fact]
    public void HashesRunAtNiceTenAndTheCallersThreadKeepsItsPriority()
    {
        var threads = HashThreads.Shared(Environment.ProcessorCount, NullLogger.Instance);
        var caller = NiceOfThisThread();

        // A process started nicer than 10 keeps its own level on the hash threads (raising priority needs privilege).
        Assert.Equal(Math.Max(10, caller), threads.Run(NiceOfThisThread));
        Assert.Equal(caller, NiceOfThisThread());
    }

    [Fact]
    public void AnExceptionOfTheComputationReachesTheCaller()
    {
        var threads = HashThreads.Shared(Environment.ProcessorCount, NullLogger.Instance);

        var thrown = Assert.Throws<FormatException>(() => threads.Run<int>(() => throw new FormatException("not a hash")));
        Assert.Equal("not a hash", thrown.Message);
    }

    // proc(5): the fields after the command name (in parentheses, which may hold spaces) start at the third; nice is the 19th.
    private static int NiceOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
    }
}
