using System.ComponentModel.DataAnnotations;

namespace FuncAuth.Core.Options;

/// <summary>Email delivery through the outbox queue and SMTP (configuration section <c>Email</c>).</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string Section = "Email";

    /// <summary>The SMTP server. Email delivery is on when this is set.</summary>
    public string? SmtpHost { get; set; }

    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 587;

    public SmtpSecurity SmtpSecurity { get; set; } = SmtpSecurity.StartTls;

    public string? SmtpUsername { get; set; }

    public string? SmtpPassword { get; set; }

    public string? From { get; set; }

    /// <summary>The SPA's base URL: links are <c>{LinkBaseUrl}/verify-email?token=...</c> and <c>/reset-password?token=...</c>.</summary>
    public Uri? LinkBaseUrl { get; set; }

    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,55}[a-z0-9]$")]
    public string QueueName { get; set; } = "email-outbox";

    /// <summary>Standalone only: how long the in-process drainer waits when the queue was empty.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Standalone only: how long a message whose sending failed stays invisible before the next try.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tries before a message goes to the poison queue (the Functions host's queue default is 5 too).</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(SmtpHost);

    public string PoisonQueueName => QueueName + "-poison";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsEnabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(From) || !System.Net.Mail.MailAddress.TryCreate(From, out _))
        {
            yield return new("Email__From must be an email address when Email__SmtpHost is set", [nameof(From)]);
        }

        if (LinkBaseUrl is not { IsAbsoluteUri: true } || LinkBaseUrl.Scheme is not ("https" or "http"))
        {
            yield return new("Email__LinkBaseUrl must be an absolute http(s) URL when Email__SmtpHost is set", [nameof(LinkBaseUrl)]);
        }

        if (PollInterval < TimeSpan.FromMilliseconds(10) || RetryDelay < TimeSpan.Zero)
        {
            yield return new("Email__PollInterval must be positive and Email__RetryDelay not negative", [nameof(PollInterval), nameof(RetryDelay)]);
        }
    }
}
