using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace FuncAuth.FaultSuite;

/// <summary>
/// Measures what the app would write to standard output and standard error: every record that passes the app's own log
/// filters is formatted by the console formatter the app configures (simple, one line per record; see
/// <c>TelemetrySetup.LoggingDefaults</c>) and counted, in lines and UTF-8 bytes, instead of being written. Under the
/// Functions host each of those lines becomes one trace in Application Insights, so this is what a fault costs there.
/// </summary>
public sealed class LogVolume
{
    private readonly Lock _gate = new();
    private long _lines;
    private long _bytes;
    private int _longest;
    private TextWriter? _copy;

    /// <summary>Where to copy every formatted line as well (the suite's <c>--app-log</c>); null for none.</summary>
    public void CopyTo(TextWriter? writer)
    {
        lock (_gate)
        {
            _copy = writer;
        }
    }

    /// <summary>Lines and bytes so far, and the longest line so far; <see cref="ResetLongest"/> starts a new window for the latter.</summary>
    public LogCount Snapshot()
    {
        lock (_gate)
        {
            return new LogCount(_lines, _bytes, _longest);
        }
    }

    public void ResetLongest()
    {
        lock (_gate)
        {
            _longest = 0;
        }
    }

    internal void Add(string formatted)
    {
        var lines = 0;
        var start = 0;
        var longest = 0;
        for (var i = 0; i < formatted.Length; i++)
        {
            if (formatted[i] == '\n')
            {
                lines++;
                longest = Math.Max(longest, Encoding.UTF8.GetByteCount(formatted.AsSpan(start, i - start)));
                start = i + 1;
            }
        }

        var bytes = Encoding.UTF8.GetByteCount(formatted);
        lock (_gate)
        {
            _lines += lines;
            _bytes += bytes;
            _longest = Math.Max(_longest, longest);
            _copy?.Write(formatted);
        }
    }
}

/// <summary>Counted app output: lines, bytes, and the longest line in bytes.</summary>
public readonly record struct LogCount(long Lines, long Bytes, int LongestLine)
{
    public static LogCount operator -(LogCount end, LogCount start) => new(end.Lines - start.Lines, end.Bytes - start.Bytes, end.LongestLine);
}

/// <summary>A logging provider that formats with the app's console formatter and counts into a <see cref="LogVolume"/>.</summary>
internal sealed class LogVolumeProvider(ConsoleFormatter formatter, LogVolume volume) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, formatter, volume);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConsoleFormatter formatter, LogVolume volume) : ILogger
    {
        [ThreadStatic]
        private static StringWriter? t_writer;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter1)
        {
            var writer = t_writer ??= new StringWriter();
            writer.GetStringBuilder().Clear();
            formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter1), scopeProvider: null, writer);
            if (writer.GetStringBuilder().Length > 0)
            {
                volume.Add(writer.ToString());
            }
        }
    }
}
