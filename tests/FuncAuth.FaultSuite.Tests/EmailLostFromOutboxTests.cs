using Azure.Data.Tables;
using Azure.Storage.Queues;
using FuncAuth.Core.Email;

namespace FuncAuth.FaultSuite.Tests;

/// <summary>
/// The outbox rule over real queues (Azurite): an email the answers promised must be delivered, or in the outbox queue
/// (visible or being tried), or in the poison queue. The delivered list stands in for smtp4dev's API, which the suite
/// reads through <see cref="SmtpServer.ReceivedAsync"/>.
/// </summary>
public sealed class EmailLostFromOutboxTests(CheckerAzurite fixture) : IClassFixture<CheckerAzurite>, IAsyncLifetime
{
    private readonly string _prefix = "m" + Guid.NewGuid().ToString("N")[..10];
    private readonly EmailLedger _ledger = new();
    private readonly List<DeliveredMail> _delivered = [];
    private QueueClient _outbox = null!;
    private QueueClient _poison = null!;
    private TableServiceClient _tables = null!;

    public async Task InitializeAsync()
    {
        // Base64, as the app writes its messages for the Functions host.
        var queues = new QueueServiceClient(fixture.Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        _outbox = queues.GetQueueClient(_prefix + "-outbox");
        _poison = queues.GetQueueClient(_prefix + "-outbox-poison");
        await _outbox.CreateIfNotExistsAsync();
        await _poison.CreateIfNotExistsAsync();
        _tables = new TableServiceClient(fixture.Azurite.ConnectionString);
        foreach (var table in new[] { "Users", "UserSessions", "SessionExpiry" })
        {
            await _tables.GetTableClient(_prefix + table).CreateIfNotExistsAsync();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task EveryPromisedEmailDeliveredQueuedBeingTriedOrPoisonedIsAccountedFor()
    {
        var delivered = Promise(EmailKinds.ResetPassword);
        _delivered.Add(new DeliveredMail(delivered.ToUpperInvariant(), "Reset your password"));
        // At least once: a second copy of a delivered mail is no inconsistency.
        _delivered.Add(new DeliveredMail(delivered, "Reset your password"));
        await _outbox.SendMessageAsync(new OutboxMessage(EmailKinds.VerifyEmail, Promise(EmailKinds.VerifyEmail)).ToJson());
        await _poison.SendMessageAsync(new OutboxMessage(EmailKinds.ResetPassword, Promise(EmailKinds.ResetPassword)).ToJson());
        // Taken by a sender that has not finished: invisible, but still in the queue.
        await _outbox.SendMessageAsync(new OutboxMessage(EmailKinds.ResetPassword, Promise(EmailKinds.ResetPassword)).ToJson());
        var taken = (await _outbox.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Value;
        Assert.Single(taken);

        Assert.Empty(await CheckAsync());
    }

    [Fact]
    public async Task FindsAQueuedEmailDeletedWithoutDelivery()
    {
        var lost = Promise(EmailKinds.ResetPassword);
        await _outbox.SendMessageAsync(new OutboxMessage(EmailKinds.ResetPassword, lost).ToJson());
        var delivered = Promise(EmailKinds.VerifyEmail);
        _delivered.Add(new DeliveredMail(delivered, "Confirm your email address"));
        // A sender that deletes the message although SMTP never took it.
        var message = Assert.Single((await _outbox.ReceiveMessagesAsync(1)).Value);
        await _outbox.DeleteMessageAsync(message.MessageId, message.PopReceipt);

        var violation = Assert.Single(await CheckAsync());

        Assert.Equal(InvariantRules.EmailLostFromOutbox, violation.Rule);
        Assert.Contains(lost, violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeliveredEmailOfAnotherKindDoesNotStandInForTheLostOne()
    {
        var address = Promise(EmailKinds.ResetPassword);
        _delivered.Add(new DeliveredMail(address, "Confirm your email address"));

        var violation = Assert.Single(await CheckAsync());

        Assert.Contains("reset_password to " + address, violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASignupEmailIsLostOnlyBeyondTheOnesTheServiceReportedUnqueued()
    {
        var address = $"signup-{Guid.NewGuid():N}@example.com";
        _ledger.BestEffort(address, EmailKinds.VerifyEmail);

        Assert.Equal(InvariantRules.EmailLostFromOutbox, Assert.Single(await CheckAsync()).Rule);

        _ledger.CountEnqueueFailure();

        Assert.Empty(await CheckAsync());
    }

    private string Promise(string kind)
    {
        var address = $"mail-{Guid.NewGuid():N}@example.com";
        _ledger.Promised(address, kind);
        return address;
    }

    private async Task<IReadOnlyList<Violation>> CheckAsync()
    {
        var checker = new InvariantChecker(_tables, _prefix);
        checker.ExtraRules.Add(new EmailLostFromOutboxRule(_ledger, _outbox, _poison, _ => Task.FromResult<IReadOnlyList<DeliveredMail>>(_delivered.ToList())));
        return (await checker.CheckAsync()).Violations;
    }
}
