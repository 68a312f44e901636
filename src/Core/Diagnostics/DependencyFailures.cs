using System.Net.Http;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using MailKit.Net.Smtp;

namespace FuncAuth.Core.Diagnostics;

/// <summary>The dependencies whose failures are classified, counted and logged by <see cref="DependencyHealth"/>.</summary>
public enum Dependency
{
    Tables,
    Queue,
    KeyVault,
    Smtp,
}

/// <summary>
/// How a call to a dependency failed, in the classes an operator acts on. A failure in none of them is unclassified and
/// keeps its stack trace in the log.
/// </summary>
public enum DependencyFailureClass
{
    /// <summary>Nothing listens (a stopped emulator, a service being restarted, a firewall that rejects).</summary>
    ConnectionRefused,

    /// <summary>The connection broke while the request was under way.</summary>
    ConnectionLost,

    /// <summary>No answer in time: the per-try timeout, the request deadline, or the service's own timeout.</summary>
    Timeout,

    /// <summary>The service said it is busy: 429 or 503 from storage or Key Vault, a 4xx "try later" from SMTP.</summary>
    Throttled,

    /// <summary>The identity was refused (401/403, no token for the managed identity, SMTP authentication failed).</summary>
    Authorization,
}

/// <summary>A failure of a call to <paramref name="Dependency"/>: its class (null when unclassified) and how many tries were made.</summary>
public readonly record struct DependencyFailure(Dependency Dependency, DependencyFailureClass? Class, int Attempts)
{
    /// <summary>The name in logs and in the metric's <c>dependency</c> tag.</summary>
    public static string Name(Dependency dependency) => dependency switch
    {
        Dependency.Tables => "tables",
        Dependency.Queue => "queue",
        Dependency.KeyVault => "key_vault",
        Dependency.Smtp => "smtp",
        _ => "unknown",
    };

    /// <summary>The name in logs and in the metric's <c>class</c> tag; <c>other</c> for an unclassified failure.</summary>
    public static string Name(DependencyFailureClass? failureClass) => failureClass switch
    {
        DependencyFailureClass.ConnectionRefused => "connection_refused",
        DependencyFailureClass.ConnectionLost => "connection_lost",
        DependencyFailureClass.Timeout => "timeout",
        DependencyFailureClass.Throttled => "throttled",
        DependencyFailureClass.Authorization => "authorization",
        _ => "other",
    };
}

/// <summary>
/// Which dependency an exception (or an error response, which the SDK turns into a <see cref="RequestFailedException"/>
/// after the pipeline) came from, and after how many tries. The SDK's exceptions do not say which service they are
/// about; <see cref="DependencyCallPolicy"/> marks them as they pass. Weak: a mark lives as long as its exception.
/// </summary>
internal static class DependencyMarks
{
    private static readonly ConditionalWeakTable<object, Mark> Marks = new();

    public static void Set(object exceptionOrResponse, Dependency dependency, int attempts) =>
        Marks.AddOrUpdate(exceptionOrResponse, new Mark(dependency, attempts));

    public static Mark? Find(Exception exception) =>
        Marks.TryGetValue(exception, out var mark) ? mark
        : exception is RequestFailedException failed && failed.GetRawResponse() is { } response && Marks.TryGetValue(response, out mark) ? mark
        : null;

    internal sealed record Mark(Dependency Dependency, int Attempts);
}

/// <summary>Sorts a failure into its dependency and <see cref="DependencyFailureClass"/>, from what the SDKs say about it.</summary>
public static class DependencyFailureClassifier
{
    /// <summary>
    /// The failure behind <paramref name="exception"/>, or null when it is not from a known dependency call (a bug, say).
    /// <paramref name="dependency"/> names the dependency when the caller knows it (the SMTP sender).
    /// </summary>
    public static DependencyFailure? Classify(Exception exception, Dependency? dependency = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var attempts = 1;
        DependencyFailureClass? failureClass = null;
        foreach (var e in Chain(exception, depth: 0))
        {
            if (dependency is null && DependencyMarks.Find(e) is { } mark)
            {
                (dependency, attempts) = (mark.Dependency, mark.Attempts);
            }

            failureClass ??= ClassOf(e);
        }

        if (exception is AggregateException aggregate)
        {
            // The retry policy's "Retry failed after N tries": one inner exception per try.
            attempts = Math.Max(attempts, aggregate.InnerExceptions.Count);
        }

        return dependency is { } known ? new DependencyFailure(known, failureClass, attempts) : null;
    }

    /// <summary>The class one exception shows by itself, without its inner ones; null when it says nothing.</summary>
    private static DependencyFailureClass? ClassOf(Exception e) => e switch
    {
        // Status 0: no answer at all; the transport's exception inside says why.
        RequestFailedException { Status: 429 or 503 } => DependencyFailureClass.Throttled,
        RequestFailedException { Status: 500, ErrorCode: "OperationTimedOut" } or RequestFailedException { Status: 408 } => DependencyFailureClass.Timeout,
        RequestFailedException { Status: 401 or 403 } => DependencyFailureClass.Authorization,
        AuthenticationFailedException or CredentialUnavailableException or MailKit.Security.AuthenticationException => DependencyFailureClass.Authorization,
        // 421 "service not available, closing", 450-452 "try again later" (mailbox busy, local error, storage).
        SmtpCommandException { StatusCode: SmtpStatusCode.ServiceNotAvailable or SmtpStatusCode.MailboxBusy or SmtpStatusCode.ErrorInProcessing or SmtpStatusCode.InsufficientStorage } => DependencyFailureClass.Throttled,
        SmtpCommandException { StatusCode: SmtpStatusCode.AuthenticationRequired or SmtpStatusCode.AuthenticationInvalidCredentials or SmtpStatusCode.AuthenticationMechanismTooWeak } => DependencyFailureClass.Authorization,
        SmtpProtocolException or MailKit.ServiceNotConnectedException => DependencyFailureClass.ConnectionLost,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => DependencyFailureClass.ConnectionRefused,
        SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected } => DependencyFailureClass.ConnectionLost,
        SocketException { SocketErrorCode: SocketError.TimedOut } => DependencyFailureClass.Timeout,
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => DependencyFailureClass.ConnectionLost,
        // The per-try timeout (a TaskCanceledException around a TimeoutException), the request deadline, MailKit's timeout.
        TimeoutException or OperationCanceledException => DependencyFailureClass.Timeout,
        _ => null,
    };

    /// <summary>The exception and its inner ones, outermost first; of an aggregate the last try first (it decided the outcome).</summary>
    private static IEnumerable<Exception> Chain(Exception exception, int depth)
    {
        yield return exception;
        if (depth > 8)
        {
            yield break;
        }

        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions.Reverse() : exception.InnerException is { } one ? [one] : [];
        foreach (var child in inner)
        {
            foreach (var e in Chain(child, depth + 1))
            {
                yield return e;
            }
        }
    }
}

/// <summary>
/// Added to each Azure SDK client's pipeline (tables, queue, Key Vault): marks what fails with the dependency's name and
/// the number of tries, and tells <see cref="DependencyHealth"/> when the service answers again. Per call, so it sees
/// the outcome after the retries; a second instance per try counts them.
/// </summary>
internal sealed class DependencyCallPolicy : HttpPipelinePolicy
{
    private const string TriesProperty = "FuncAuth.DependencyTries";

    private readonly Dependency _dependency;
    private readonly DependencyHealth? _health;

    private DependencyCallPolicy(Dependency dependency, DependencyHealth? health)
    {
        _dependency = dependency;
        _health = health;
    }

    /// <summary>Adds the policy to <paramref name="options"/>; call once per options object, where its client is built.</summary>
    public static T AddTo<T>(T options, Dependency dependency, DependencyHealth health)
        where T : ClientOptions
    {
        options.AddPolicy(new DependencyCallPolicy(dependency, health), HttpPipelinePosition.PerCall);
        options.AddPolicy(new DependencyCallPolicy(dependency, health: null), HttpPipelinePosition.PerRetry);
        return options;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (_health is null)
        {
            CountTry(message);
            ProcessNext(message, pipeline);
            return;
        }

        try
        {
            ProcessNext(message, pipeline);
        }
        catch (Exception e)
        {
            DependencyMarks.Set(e, _dependency, Tries(message));
            throw;
        }

        Answered(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (_health is null)
        {
            CountTry(message);
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            return;
        }

        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            DependencyMarks.Set(e, _dependency, Tries(message));
            throw;
        }

        Answered(message);
    }

    private void Answered(HttpMessage message)
    {
        // 404, 409 and 412 are answers of a healthy service (a missing row, a lost race); the rest of 4xx is ours to fix.
        if (message.Response.Status is 401 or 403 or 408 or 429 or >= 500)
        {
            DependencyMarks.Set(message.Response, _dependency, Tries(message));
        }
        else
        {
            _health!.Succeeded(_dependency);
        }
    }

    private static void CountTry(HttpMessage message) => message.SetProperty(TriesProperty, Tries(message, untried: 0) + 1);

    private static int Tries(HttpMessage message, int untried = 1) =>
        message.TryGetProperty(TriesProperty, out var tries) && tries is int count ? count : untried;
}
