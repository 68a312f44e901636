using Azure;
using Azure.Storage.Queues.Models;
using FuncAuth.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Email;

/// <summary>
/// Standalone only (no Functions host): drains the outbox through the same <see cref="EmailDispatcher"/> the SendEmail
/// function uses. A message is deleted only after the SMTP server accepted it; a failed one becomes visible again
/// after <see cref="EmailOptions.RetryDelay"/>, and after <see cref="EmailOptions.MaxDequeueCount"/> tries it moves to
/// the poison queue, as under the host. So delivery is at least once: a crash between acceptance and delete sends
/// that mail again, nothing is lost.
/// </summary>
public sealed class OutboxDrainer : BackgroundService
{
    private static readonly TimeSpan Invisibility = TimeSpan.FromMinutes(2);

    private readonly EmailOutbox _outbox;
    private readonly EmailDispatcher _dispatcher;
    private readonly OutboxSignal _signal;
    private readonly IOptions<EmailOptions> _options;
    private readonly bool _enabled;
    private readonly ILogger<OutboxDrainer> _logger;

    internal OutboxDrainer(EmailOutbox outbox, EmailDispatcher dispatcher, OutboxSignal signal, IOptions<EmailOptions> options, bool enabled, ILogger<OutboxDrainer> logger, Diagnostics.DependencyHealth health)
    {
        Health = health;
        _outbox = outbox;
        _dispatcher = dispatcher;
        _signal = signal;
        _options = options;
        _enabled = enabled;
        _logger = logger;
    }

    /// <summary>Counts the failed sends and logs each class's first of the minute in full (the line per try is event 1252).</summary>
    private Diagnostics.DependencyHealth Health { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_enabled || !_outbox.IsEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await _outbox.Queue.ReceiveMessagesAsync(16, Invisibility, stoppingToken)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                messages = [];
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever the queue does (an error, a refused connection, a try that ran out of time while storage hangs),
                // the drainer lives on: an exception escaping here would stop the whole host. It tries again after a pause.
                EmailLog.QueueUnavailable(_logger, e.GetType().Name);
                await _signal.WaitAsync(_options.Value.PollInterval, stoppingToken);
                continue;
            }

            foreach (var message in messages)
            {
                await ProcessAsync(message, stoppingToken);
            }

            if (messages.Length == 0)
            {
                await _signal.WaitAsync(_options.Value.PollInterval, stoppingToken);
            }
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await _dispatcher.DispatchAsync(message.Body.ToString(), message.DequeueCount, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            EmailLog.SendFailed(_logger, message.DequeueCount, e.GetType().Name);
            if (Diagnostics.DependencyFailureClassifier.Classify(e) is { Class: not null } failure)
            {
                Health.Failed(e, failure, Diagnostics.DependencyHealth.OutboxRoute, traceId: null, lineEach: false);
            }

            try
            {
                if (message.DequeueCount >= _options.Value.MaxDequeueCount)
                {
                    await _outbox.PoisonQueue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                    await _outbox.PoisonQueue.SendMessageAsync(message.Body, cancellationToken: stoppingToken);
                    await _outbox.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
                    EmailLog.Poisoned(_logger, message.DequeueCount);
                }
                else
                {
                    await _outbox.Queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _options.Value.RetryDelay, cancellationToken: stoppingToken);
                }
            }
            catch (Exception inner) when (!stoppingToken.IsCancellationRequested)
            {
                // The message reappears when its invisibility ends anyway.
                EmailLog.QueueUnavailable(_logger, inner.GetType().Name);
            }

            return;
        }

        try
        {
            await _outbox.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Sent but not deleted: it will be sent again (at least once).
            EmailLog.QueueUnavailable(_logger, e.GetType().Name);
        }
    }
}
