using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FuncAuth.Core.Email;

namespace FuncAuth.FaultSuite;

/// <summary>
/// The emails a run caused the service to queue, as its answers promised them. A 202 of forgot-password or
/// resend-verification means the message is in the outbox (the request fails with 503 when it could not queue it); a
/// 201 of sign-up queues its verification email only on a best-effort basis (a queue failure does not undo the
/// account, and the service logs it), so those are counted apart.
/// </summary>
public sealed class EmailLedger
{
    private readonly ConcurrentBag<(string To, string Kind, bool Promised)> _expected = [];
    private int _enqueueFailures;

    /// <summary>A 202 of forgot-password or resend-verification: the message was queued.</summary>
    public void Promised(string to, string kind) => _expected.Add((to, kind, true));

    /// <summary>A 201 of sign-up: its verification email was queued unless the service reported it could not.</summary>
    public void BestEffort(string to, string kind) => _expected.Add((to, kind, false));

    /// <summary>The service reported a sign-up's email it could not queue (its "could not be queued" log event).</summary>
    public void CountEnqueueFailure() => Interlocked.Increment(ref _enqueueFailures);

    public int EnqueueFailures => Volatile.Read(ref _enqueueFailures);

    public IReadOnlyCollection<(string To, string Kind, bool Promised)> Expected => _expected.ToArray();

    public int Count => _expected.Count;
}

/// <summary>
/// <see cref="InvariantRules.EmailLostFromOutbox"/>: every email in the ledger has been delivered to the SMTP server, or
/// is still in the outbox queue (visible, or invisible while a try is under way or waiting out its retry delay), or in
/// the poison queue. Delivery is at least once, so a duplicate is fine; a message counted nowhere is lost. The queues
/// are read before the server, so a message delivered and deleted between the two reads is counted twice, never
/// missed. A message the queue holds invisibly cannot be read without taking it, so the queue's approximate count stands
/// for those: the rule fires when more emails are missing than the queues can hold.
/// </summary>
public sealed class EmailLostFromOutboxRule(
    EmailLedger ledger, QueueClient outbox, QueueClient poison, Func<CancellationToken, Task<IReadOnlyList<DeliveredMail>>> delivered) : IInvariantRule
{
    /// <summary>The subject of each kind's email, as the templates write it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Subjects = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EmailKinds.VerifyEmail] = "Confirm your email address",
        [EmailKinds.ResetPassword] = "Reset your password",
        [EmailKinds.SignupAttempt] = "Someone tried to sign up with your address",
    };

    public async Task<IEnumerable<Violation>> CheckAsync(TableServiceClient service, string tablePrefix, TableSnapshot snapshot, CancellationToken cancellationToken)
    {
        var expected = ledger.Expected;
        var (held, unreadable) = await HeldAsync(cancellationToken);
        var mails = await delivered(cancellationToken);
        var accounted = new Dictionary<(string, string), int>();
        foreach (var mail in mails)
        {
            var kind = Subjects.FirstOrDefault(s => s.Value == mail.Subject).Key ?? "?";
            Add(accounted, (mail.To.ToUpperInvariant(), kind));
        }

        foreach (var message in held)
        {
            Add(accounted, (message.To.Trim().ToUpperInvariant(), message.Kind));
        }

        var missingPromised = new List<(string To, string Kind)>();
        var missingBestEffort = new List<(string To, string Kind)>();
        foreach (var email in expected.OrderBy(e => e.Promised ? 0 : 1))
        {
            var key = (email.To.ToUpperInvariant(), email.Kind);
            if (accounted.TryGetValue(key, out var count) && count > 0)
            {
                accounted[key] = count - 1;
            }
            else
            {
                (email.Promised ? missingPromised : missingBestEffort).Add((email.To, email.Kind));
            }
        }

        // Invisible messages may be any of the missing ones; sign-ups may miss as many emails as the service said it could not queue.
        var unexplained = missingPromised.Count + Math.Max(0, missingBestEffort.Count - ledger.EnqueueFailures) - unreadable;
        if (unexplained <= 0)
        {
            return [];
        }

        return missingPromised.Concat(missingBestEffort).Take(20).Select(m => new Violation(InvariantRules.EmailLostFromOutbox,
            $"{m.Kind} to {m.To}: not delivered and not in the outbox or poison queue ({unexplained} unexplained of {missingPromised.Count + missingBestEffort.Count} missing, "
            + $"{unreadable} invisible in the queues, {ledger.EnqueueFailures} reported unqueued, {mails.Count} delivered, {expected.Count} expected)"));
    }

    /// <summary>The messages the queues hold that can be read without taking them, and how many more they hold that cannot.</summary>
    private async Task<(List<OutboxMessage> Held, int Unreadable)> HeldAsync(CancellationToken cancellationToken)
    {
        var held = new List<OutboxMessage>();
        var unreadable = 0;
        foreach (var queue in new[] { outbox, poison })
        {
            int total;
            try
            {
                total = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                continue;
            }

            // Peek shows at most 32 visible messages from the front; the rest count as held but unread.
            var peeked = (await queue.PeekMessagesAsync(32, cancellationToken)).Value;
            foreach (var message in peeked)
            {
                if (Parse(message.Body) is { } parsed)
                {
                    held.Add(parsed);
                }
            }

            unreadable += Math.Max(0, total - peeked.Length);
        }

        return (held, unreadable);
    }

    /// <summary>A queued message: base64 text (the Functions host's encoding), or plain text.</summary>
    private static OutboxMessage? Parse(BinaryData body)
    {
        var text = body.ToString();
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
        }

        try
        {
            return JsonSerializer.Deserialize<OutboxMessage>(text, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Add(Dictionary<(string, string), int> counts, (string, string) key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}
