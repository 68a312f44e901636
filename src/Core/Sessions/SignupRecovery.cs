using System.Threading.Channels;
using Azure;
using FuncAuth.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Core.Sessions;

/// <summary>
/// Finishes sign-ups whose writes ended without a known outcome (a timeout, the request deadline, a dropped connection):
/// the write may still be applied later, for instance when a paused storage server works off what it received. Undoing
/// such a sign-up would race that late write (a delete, then the late insert, leaves a user reference without its
/// account), so it is rolled forward instead: every write is an insert, and repeating an insert is harmless (a conflict
/// means it was applied). The account insert stays the commit point: when another account holds the email by then, the
/// reference and session are removed again. The answer to the caller was 503 either way; a sign-up finished here is found
/// by a retried sign-up (<c>email_taken</c>) and the user signs in.
/// </summary>
/// <remarks>
/// Pending sign-ups live in this instance's memory; an instance that stops before finishing one leaves a user reference
/// and a session nobody can reach (the invariant checker reports it). Each one is retried with growing pauses for up
/// to about ten minutes.
/// </remarks>
public sealed partial class SignupRecovery : BackgroundService
{
    private const int MaxAttempts = 25;
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(30);

    private readonly Channel<(UserEntity User, SessionEntity Session)> _queue = Channel.CreateUnbounded<(UserEntity, SessionEntity)>();
    private readonly UserStore _users;
    private readonly SessionStore _sessions;
    private readonly TimeProvider _time;
    private readonly ILogger<SignupRecovery> _logger;
    private int _pending;

    public SignupRecovery(UserStore users, SessionStore sessions, TimeProvider time, ILogger<SignupRecovery> logger)
    {
        _users = users;
        _sessions = sessions;
        _time = time;
        _logger = logger;
    }

    /// <summary>Sign-ups not yet finished or rolled back.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// True when a failed write certainly changed nothing: the service answered with a status that means so. A response
    /// that never came (status 0, a timeout, a cancellation) or a 500 (the operation may have run) is not definite.
    /// </summary>
    internal static bool IsDefinite(Exception e) => e is RequestFailedException { Status: (>= 400 and < 500 and not 408) or 503 };

    internal void Enqueue(UserEntity user, SessionEntity session)
    {
        Interlocked.Increment(ref _pending);
        LogPending(_logger, user.UserId);
        _queue.Writer.TryWrite((user, session));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        await foreach (var (user, session) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            running.RemoveAll(t => t.IsCompleted);
            running.Add(RecoverAsync(user, session, stoppingToken));
        }
    }

    private async Task RecoverAsync(UserEntity user, SessionEntity session, CancellationToken stoppingToken)
    {
        try
        {
            var pause = FirstPause;
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                await Task.Delay(pause, _time, stoppingToken);
                try
                {
                    var committed = await RollForwardAsync(user, session, stoppingToken);
                    LogFinished(_logger, user.UserId, committed, attempt);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
                }
            }

            LogGaveUp(_logger, user.UserId);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogGaveUp(_logger, user.UserId);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>True when the account now exists with this sign-up's user id; false when it was rolled back.</summary>
    private async Task<bool> RollForwardAsync(UserEntity user, SessionEntity session, CancellationToken cancellationToken)
    {
        try
        {
            await _users.InsertUserRowWithFirstSessionAsync(user, session, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // The sign-up's own transaction was applied (the user id is new, so nobody else wrote these rows).
        }

        if (await _users.TryInsertAsync(user, cancellationToken)
            || (await _users.FindByEmailKeyAsync(user.PartitionKey, cancellationToken))?.UserId == user.UserId)
        {
            return true;
        }

        // Another account holds the email: this sign-up lost, remove what it wrote.
        await _users.DeleteUserRowWithFirstSessionAsync(session, cancellationToken);
        await _sessions.UnindexAsync(session.PartitionKey, session.SessionId, session.ExpiresAt, cancellationToken);
        return false;
    }

    [LoggerMessage(1090, LogLevel.Warning, "Sign-up of user {UserId} ended without a known outcome; finishing it in the background")]
    private static partial void LogPending(ILogger logger, string userId);

    [LoggerMessage(1091, LogLevel.Information, "Sign-up of user {UserId} settled: account kept {Committed} (attempt {Attempt})")]
    private static partial void LogFinished(ILogger logger, string userId, bool committed, int attempt);

    [LoggerMessage(1092, LogLevel.Error, "Sign-up of user {UserId} could not be settled; its user reference and session may be left without an account")]
    private static partial void LogGaveUp(ILogger logger, string userId);
}
