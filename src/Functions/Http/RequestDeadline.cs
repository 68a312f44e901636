using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using FuncAuth.Functions.OAuth;
using Microsoft.Extensions.Options;

namespace FuncAuth.Functions.Http;

/// <summary>
/// Bounds how long a user-facing request (every route under <c>/api</c> and <c>/oauth</c>) waits on its dependencies: the request's
/// cancellation token is linked to a timer of <c>Storage__RequestDeadline</c> (default 2 s). Every storage and Key Vault
/// call takes that token, so when the deadline is spent whatever is still waiting is cancelled and the answer is 503
/// <c>service_unavailable</c> with Retry-After, instead of a request that holds an instance (billed by the second) for
/// as long as a hung dependency hangs. Each call's own per-try timeout and retry fit inside the deadline
/// (<see cref="DependencyBudget"/>).
/// </summary>
/// <remarks>
/// No half-written state: every request path writes in an order where stopping after any write leaves the tables
/// consistent (index entry before session, one transaction for reference and session, the account insert as sign-up's
/// commit point, single-entity ETag replaces); a sign-up cut between its writes is finished by <c>SignupRecovery</c>.
/// The timer function (<c>/CleanupExpiredTokens</c>) is not user-facing and runs under the host's function timeout.
/// </remarks>
public static partial class RequestDeadline
{
    public static IApplicationBuilder UseRequestDeadline(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var oauth = context.Request.Path.StartsWithSegments("/oauth", StringComparison.OrdinalIgnoreCase);
        if (!oauth && !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var deadline = context.RequestServices.GetRequiredService<IOptions<StorageOptions>>().Value.RequestDeadline;
        var aborted = context.RequestAborted;
        using var spent = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        spent.CancelAfter(deadline);
        context.RequestAborted = spent.Token;
        try
        {
            await next(context);
        }
        catch (Exception e) when (spent.IsCancellationRequested && !aborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            // Whatever failed once the deadline was spent failed because of it (a cancelled call, a wait given up): a call to
            // a known dependency is that dependency's timeout; a wait for something else (the password hash's queue) keeps
            // its own line.
            if (DependencyFailureClassifier.Classify(e) is { } failure)
            {
                context.RequestServices.GetRequiredService<DependencyHealth>().Failed(
                    e, failure with { Class = DependencyFailureClass.Timeout }, ErrorHandling.Route(context), ErrorHandling.TraceId(context));
            }
            else
            {
                LogDeadlineSpent(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestDeadline)), context.Request.Path, deadline.TotalMilliseconds, e.GetType().Name);
            }

            context.Response.Clear();
            // The answer is written under the client's own token: the spent one would cancel the write itself.
            context.RequestAborted = aborted;
            // Retry once the deadline has passed again: a hung dependency is detected that fast, and a client retrying a
            // refresh must come back well inside the reuse grace.
            var retryAfter = Math.Max(1, (int)Math.Ceiling(deadline.TotalSeconds));
            if (oauth)
            {
                // The OAuth endpoints answer every error in RFC 6749's shape, this one too.
                await OAuthError.TemporarilyUnavailable(retryAfter).ExecuteAsync(context);
                return;
            }

            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.CacheControl = "no-store";
            await Problems.Create(ErrorCodes.ServiceUnavailable, "A dependency did not answer in time; retry later.")
                .ExecuteAsync(context);
        }
        finally
        {
            context.RequestAborted = aborted;
        }
    });

    [LoggerMessage(2002, LogLevel.Warning, "Request to {Path} spent its deadline of {DeadlineMs} ms waiting on a dependency ({ExceptionType}); answered 503")]
    private static partial void LogDeadlineSpent(ILogger logger, PathString path, double deadlineMs, string exceptionType);
}
