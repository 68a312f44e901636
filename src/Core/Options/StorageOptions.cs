using System.ComponentModel.DataAnnotations;
using Azure.Data.Tables;

namespace FuncAuth.Core.Options;

/// <summary>Where the tables live (configuration section <c>Storage</c>).</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary>Connection string (Azurite locally). When set, the app also creates its tables.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Table endpoint used with a managed identity in Azure.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Queue endpoint used with a managed identity in Azure (the email outbox).</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>Prefix of every table name; lets several deployments or test runs share one account.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{0,29}$|^$")]
    public string TablePrefix { get; set; } = "";

    /// <summary>
    /// How long a user-facing request may wait on its dependencies (Table Storage, queues, Key Vault) in total before it
    /// is answered 503 with Retry-After. The per-try timeouts and retries of every client are derived from it (see
    /// <see cref="DependencyBudget"/>), so that one call with its retry fits inside it.
    /// </summary>
    public TimeSpan RequestDeadline { get; set; } = DependencyBudget.DefaultRequestDeadline;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) && TableServiceUri is null)
        {
            yield return new(
                "Storage__ConnectionString or Storage__TableServiceUri must be set",
                [nameof(ConnectionString), nameof(TableServiceUri)]);
        }
        else if (!string.IsNullOrWhiteSpace(ConnectionString) && !IsUsableConnectionString(ConnectionString))
        {
            // The message must not echo the value: connection strings carry account keys.
            yield return new("Storage__ConnectionString is not a valid storage connection string", [nameof(ConnectionString)]);
        }

        if (!OptionRanges.Within(RequestDeadline, MinRequestDeadline, MaxRequestDeadline))
        {
            yield return OptionRanges.Failure("Storage__RequestDeadline", MinRequestDeadline, MaxRequestDeadline, nameof(RequestDeadline));
        }
    }

    public static readonly TimeSpan MinRequestDeadline = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxRequestDeadline = TimeSpan.FromMinutes(1);

    private static bool IsUsableConnectionString(string connectionString)
    {
        try
        {
            _ = new TableServiceClient(connectionString);
            return true;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }
}
