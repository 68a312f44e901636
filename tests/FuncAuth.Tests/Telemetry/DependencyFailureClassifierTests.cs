using System.Net.Sockets;
using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using FuncAuth.Core.Tokens;
using FuncAuth.Tests.Support;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncAuth.Tests.Telemetry;

/// <summary>Failures are sorted into the few classes an operator acts on, from what the SDKs say; the rest stay unclassified.</summary>
public sealed class DependencyFailureClassifierTests
{
    [Fact]
    public async Task ARefusedConnectionToTablesIsClassifiedAsSuchWithItsTries()
    {
        // The production client options and policy, against a port nobody listens on.
        var health = new DependencyHealth(TimeProvider.System, NewMetrics(), NullLogger<DependencyHealth>.Instance);
        var options = DependencyCallPolicy.AddTo(DependencyBudget.Apply(new TableClientOptions(), DependencyBudget.DefaultRequestDeadline), Dependency.Tables, health);
        var table = new TableClient(new Uri($"http://127.0.0.1:{LoopbackPorts.FreePort()}/devstoreaccount1"), "Users", new TableSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])), options);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => table.GetEntityIfExistsAsync<TableEntity>("p", "r"));

        Assert.Equal(new DependencyFailure(Dependency.Tables, DependencyFailureClass.ConnectionRefused, DependencyBudget.MaxRetries + 1), DependencyFailureClassifier.Classify(failure));
    }

    [Theory]
    [InlineData(429, DependencyFailureClass.Throttled)]
    [InlineData(503, DependencyFailureClass.Throttled)]
    [InlineData(401, DependencyFailureClass.Authorization)]
    [InlineData(403, DependencyFailureClass.Authorization)]
    [InlineData(500, null)]
    [InlineData(400, null)]
    public void AStorageErrorIsClassifiedByItsStatus(int status, DependencyFailureClass? expected)
    {
        var failure = Marked(new RequestFailedException(status, "from storage"), Dependency.Queue, attempts: 2);

        Assert.Equal(new DependencyFailure(Dependency.Queue, expected, 2), DependencyFailureClassifier.Classify(failure));
    }

    [Fact]
    public void StorageTimingOutItselfIsATimeout() =>
        Assert.Equal(
            DependencyFailureClass.Timeout,
            DependencyFailureClassifier.Classify(Marked(new RequestFailedException(500, "timed out", "OperationTimedOut", null), Dependency.Tables, 1))?.Class);

    [Fact]
    public void ATryThatRanOutOfTimeIsATimeoutAndTheRetriesAreCounted()
    {
        // What Azure.Core's retry policy throws when every try hit the per-try timeout.
        var tries = new AggregateException("Retry failed after 2 tries.", new TaskCanceledException("first", new TimeoutException()), new TaskCanceledException("second", new TimeoutException()));

        Assert.Equal(new DependencyFailure(Dependency.Tables, DependencyFailureClass.Timeout, 2), DependencyFailureClassifier.Classify(Marked(tries, Dependency.Tables, 1)));
    }

    [Fact]
    public void TheLastTryDecidesTheClassOfRetriedFailures()
    {
        var tries = new AggregateException(
            new RequestFailedException(0, "timed out", new TaskCanceledException()),
            new RequestFailedException(0, "refused", new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))));

        Assert.Equal(DependencyFailureClass.ConnectionRefused, DependencyFailureClassifier.Classify(Marked(tries, Dependency.Tables, 2))?.Class);
    }

    [Fact]
    public void AConnectionResetIsALostConnection() =>
        Assert.Equal(
            DependencyFailureClass.ConnectionLost,
            DependencyFailureClassifier.Classify(Marked(new RequestFailedException(0, "reset", new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)))), Dependency.Tables, 1))?.Class);

    [Fact]
    public void AKeyVaultFailureBehindTheSigningKeysIsKeyVaultsAndAManagedIdentityWithoutATokenIsAuthorization()
    {
        var inner = Marked(new AuthenticationFailedException("ManagedIdentityCredential authentication failed."), Dependency.KeyVault, 1);

        var failure = DependencyFailureClassifier.Classify(new SigningKeyUnavailableException("The signing keys could not be loaded.", inner));

        Assert.Equal(new DependencyFailure(Dependency.KeyVault, DependencyFailureClass.Authorization, 1), failure);
    }

    [Fact]
    public void SmtpFailuresAreClassifiedFromMailKitsExceptions()
    {
        Assert.Equal(DependencyFailureClass.ConnectionRefused, DependencyFailureClassifier.Classify(new SocketException((int)SocketError.ConnectionRefused), Dependency.Smtp)?.Class);
        Assert.Equal(DependencyFailureClass.Throttled, DependencyFailureClassifier.Classify(new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, SmtpStatusCode.ServiceNotAvailable, "421 try later"), Dependency.Smtp)?.Class);
        Assert.Equal(DependencyFailureClass.Authorization, DependencyFailureClassifier.Classify(new MailKit.Security.AuthenticationException("535 bad credentials"), Dependency.Smtp)?.Class);
        Assert.Equal(DependencyFailureClass.ConnectionLost, DependencyFailureClassifier.Classify(new SmtpProtocolException("The SMTP server has unexpectedly disconnected."), Dependency.Smtp)?.Class);
        Assert.Null(DependencyFailureClassifier.Classify(new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, "550 no such user"), Dependency.Smtp)?.Class);
    }

    [Fact]
    public void AnExceptionFromNoKnownDependencyIsNotClassified()
    {
        Assert.Null(DependencyFailureClassifier.Classify(new InvalidOperationException("a bug")));
        // A refused connection is only a dependency's when something says whose.
        Assert.Null(DependencyFailureClassifier.Classify(new SocketException((int)SocketError.ConnectionRefused)));
    }

    internal static AuthMetrics NewMetrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private static Exception Marked(Exception exception, Dependency dependency, int attempts)
    {
        DependencyMarks.Set(exception, dependency, attempts);
        return exception;
    }
}
