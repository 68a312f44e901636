using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Passwords;

/// <summary>
/// The threads password hashes are computed on: a few dedicated background threads whose Linux scheduling priority is
/// lowered (nice +10), so that during a login flood the scheduler serves refresh, me and every other request (nice 0,
/// about 1 ms of CPU each) before the hashing (about 100 ms each), while the hashing still has all the CPU they leave.
/// One set for the process, created by the first <see cref="PasswordHashing"/> with as many threads as hash slots
/// (<see cref="HashingOptions.MaxConcurrentHashes"/>): threads are never re-niced back, so none can be lent to the
/// thread pool, and one set per app would leave threads behind each app a process starts and stops (as the tests do).
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "One instance for the life of the process; its threads serve the queue until the process ends.")]
internal sealed partial class HashThreads
{
    private const int Nice = 10;
    private static readonly Lock Gate = new();
    private static HashThreads? s_shared;

    [ThreadStatic]
    private static bool t_isHashThread;

    private readonly BlockingCollection<Action> _work = new();

    private HashThreads(int count, ILogger logger)
    {
        var started = new CountdownEvent(count);
        string? failure = null;
        for (var i = 0; i < count; i++)
        {
            var thread = new Thread(() =>
            {
                t_isHashThread = true;
                if (LowerPriority() is { } error)
                {
                    Interlocked.CompareExchange(ref failure, error, null);
                }

                started.Signal();
                foreach (var work in _work.GetConsumingEnumerable())
                {
                    work();
                }
            })
            {
                IsBackground = true,
                Name = "Password hashing",
            };
            thread.Start();
        }

        started.Wait();
        started.Dispose();
        if (failure is not null)
        {
            PasswordLog.HashThreadsAtNormalPriority(logger, failure);
        }
    }

    /// <summary>The process's hash threads, created at the first call with <paramref name="count"/> threads.</summary>
    public static HashThreads Shared(int count, ILogger logger)
    {
        lock (Gate)
        {
            return s_shared ??= new HashThreads(Math.Max(1, count), logger);
        }
    }

    /// <summary>Runs <paramref name="compute"/> on a hash thread and waits for it; its exception is thrown here.</summary>
    public T Run<T>(Func<T> compute)
    {
        if (t_isHashThread)
        {
            return compute();
        }

        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                result.SetResult(compute());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task.GetAwaiter().GetResult();
    }

    /// <summary>Lowers this thread's priority; null when done, otherwise why not.</summary>
    private static string? LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        try
        {
            return SetPriority(PrioProcess, GetThreadId(), Nice) == 0 ? null : "setpriority failed with errno " + Marshal.GetLastPInvokeError();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return e.GetType().Name;
        }
    }

    // With PRIO_PROCESS, Linux applies setpriority to the one thread whose id is given (setpriority(2), BUGS).
    private const int PrioProcess = 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
