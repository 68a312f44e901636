using Azure.Core;
using Azure.Storage.Queues;
using FuncAuth.Core.Options;
using FuncAuth.Core.Storage;
using FuncAuth.Core.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Email;

/// <summary>Registers the outbox, the sender and (standalone) the drainer.</summary>
public static class EmailServices
{
    /// <summary>
    /// The queue client follows the table client's rule: a connection string where one is set (Azurite), otherwise
    /// <c>Storage__QueueServiceUri</c> plus a <see cref="TokenCredential"/>. Tests replace <see cref="QueueClientOptions"/>.
    /// </summary>
    public static IServiceCollection AddFuncAuthEmail(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.Section)).ValidateWith(new EmailOptionsValidator());
        services.AddOptions<AuthOptions>().Validate<IOptions<EmailOptions>>(
            (auth, email) => isDevelopment || !auth.RequireEmailVerification || email.Value.IsEnabled,
            "Auth__RequireEmailVerification=true needs email delivery: set Email__SmtpHost, Email__From and Email__LinkBaseUrl");
        services.AddOptions<StorageOptions>().Validate<IOptions<EmailOptions>>(
            (storage, email) => !email.Value.IsEnabled || !string.IsNullOrWhiteSpace(storage.ConnectionString) || storage.QueueServiceUri is not null,
            "Storage__QueueServiceUri (or Storage__ConnectionString) must be set when Email__SmtpHost is set");

        // The same per-try timeout and retry budget as the table and Key Vault clients: a hung queue fails a forgot-password
        // inside its request deadline, and the drainer's reads give up and try again instead of waiting minutes.
        services.TryAddSingleton(sp => DependencyBudget.Apply(new QueueClientOptions(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.RequestDeadline));
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var options = Diagnostics.DependencyCallPolicy.AddTo(sp.GetRequiredService<QueueClientOptions>(), Diagnostics.Dependency.Queue, sp.GetRequiredService<Diagnostics.DependencyHealth>());
            // The Functions host's queue trigger reads base64 messages by default.
            options.MessageEncoding = QueueMessageEncoding.Base64;
            return string.IsNullOrWhiteSpace(storage.ConnectionString)
                ? new QueueServiceClient(storage.QueueServiceUri ?? new Uri("https://unset.queue.core.windows.net"), sp.GetRequiredService<TokenCredential>(), options)
                : new QueueServiceClient(storage.ConnectionString, options);
        });
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<SecurityEmails>();
        services.TryAddSingleton<IEmailSender, SmtpSender>();
        services.TryAddSingleton<IEmailRecipientLimit, NoEmailRecipientLimit>();
        services.AddSingleton<EmailDispatcher>();

        // Under the Functions host the queue trigger invokes SendEmail; standalone, this instance drains the queue.
        // A factory: whether it drains is the host's choice (a setting), not a service.
        var standalone = string.IsNullOrEmpty(configuration["FUNCTIONS_CUSTOMHANDLER_PORT"]);
        services.AddHostedService(sp => new OutboxDrainer(
            sp.GetRequiredService<EmailOutbox>(), sp.GetRequiredService<EmailDispatcher>(), sp.GetRequiredService<OutboxSignal>(),
            sp.GetRequiredService<IOptions<EmailOptions>>(), standalone, sp.GetRequiredService<ILogger<OutboxDrainer>>(),
            sp.GetRequiredService<Diagnostics.DependencyHealth>()));
        return services;
    }
}
