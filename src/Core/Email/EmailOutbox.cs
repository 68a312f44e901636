using Azure;
using Azure.Storage.Queues;
using FuncAuth.Core.Options;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Email;

/// <summary>
/// The outbox: a request that causes an email only enqueues it (one queue call) and answers at once; the sender works
/// through the queue. When email delivery is not configured, nothing is enqueued.
/// </summary>
public sealed class EmailOutbox
{
    private readonly QueueServiceClient _service;
    private readonly IOptions<EmailOptions> _options;
    private readonly IOptions<StorageOptions> _storage;
    private readonly OutboxSignal _signal;

    public EmailOutbox(QueueServiceClient service, IOptions<EmailOptions> options, IOptions<StorageOptions> storage, OutboxSignal signal)
    {
        _service = service;
        _options = options;
        _storage = storage;
        _signal = signal;
    }

    public bool IsEnabled => _options.Value.IsEnabled;

    internal QueueClient Queue => _service.GetQueueClient(_options.Value.QueueName);

    internal QueueClient PoisonQueue => _service.GetQueueClient(_options.Value.PoisonQueueName);

    /// <summary>Queues the email; false when email delivery is off.</summary>
    public async Task<bool> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            return false;
        }

        try
        {
            await Queue.SendMessageAsync(message.ToJson(), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404 && !string.IsNullOrWhiteSpace(_storage.Value.ConnectionString))
        {
            // Connection-string deployments (Azurite) create their queue; in Azure the template did.
            await Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await Queue.SendMessageAsync(message.ToJson(), cancellationToken);
        }

        _signal.Notify();
        return true;
    }
}
