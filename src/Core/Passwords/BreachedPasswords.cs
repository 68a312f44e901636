using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Diagnostics;
using FuncAuth.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncAuth.Core.Passwords;

/// <summary>
/// Whether a new password appears in a public data breach, from the Have I Been Pwned range API (k-anonymity: only the
/// first 5 hex digits of the password's SHA-1 leave the service, and <c>Add-Padding: true</c> pads the answer so its
/// size says nothing either). Fails open: when the API fails or takes longer than <see cref="Budget"/>, the password
/// is accepted and <c>funcauth.breach_check.unavailable</c> counts it, because an outage there must not stop sign-ups.
/// </summary>
public sealed class BreachedPasswords
{
    /// <summary>The <see cref="IHttpClientFactory"/> client: base address and <see cref="Budget"/> as its timeout, no retry handler.</summary>
    public const string ClientName = "FuncAuth.BreachedPasswords";

    public const string Message = "Password has appeared in a data breach; choose another.";

    /// <summary>The longest a check may hold up a request, connection and whole answer included; no retry fits in it.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1.5);

    private const int PrefixLength = 5;

    private readonly IHttpClientFactory _clients;
    private readonly IOptions<PasswordOptions> _options;
    private readonly ILogger<BreachedPasswords> _logger;

    public BreachedPasswords(IHttpClientFactory clients, IOptions<PasswordOptions> options, ILogger<BreachedPasswords> logger, AuthMetrics metrics)
    {
        Metrics = metrics;
        _clients = clients;
        _options = options;
        _logger = logger;
    }

    /// <summary>Counters of the auth events.</summary>
    private AuthMetrics Metrics { get; }

    /// <summary>
    /// True when the password (in its NFKC form, the form it is hashed in) is in the breach corpus. False when it is not,
    /// when the check is off (<c>Passwords__BreachCheck</c>), and when the API could not answer in time.
    /// </summary>
    public async Task<bool> IsBreachedAsync(string password, CancellationToken cancellationToken)
    {
        if (!_options.Value.BreachCheck)
        {
            return false;
        }

        // SHA-1 is what the range API is keyed by; it protects nothing here (the prefix is public by design).
#pragma warning disable CA5350
        var hex = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormKC))));
#pragma warning restore CA5350
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Budget);
        try
        {
            var found = await FindSuffixAsync(hex[..PrefixLength], hex[PrefixLength..], budget.Token);
            if (found)
            {
                PasswordLog.BreachedPasswordRefused(_logger);
            }

            return found;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            PasswordLog.BreachCheckUnavailable(_logger, e is OperationCanceledException ? "no answer within " + Budget.TotalSeconds + " s" : e.GetType().Name);
            Metrics.BreachCheckUnavailable();
            return false;
        }
    }

    private async Task<bool> FindSuffixAsync(string prefix, string suffix, CancellationToken cancellationToken)
    {
        var client = _clients.CreateClient(ClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_options.Value.BreachApiBase, "range/" + prefix));
        request.Headers.Add("Add-Padding", "true");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.ASCII);
        // Lines of "SUFFIX:COUNT"; the padding lines are made-up suffixes with a count of 0.
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new InvalidDataException("A range answer line without a count.");
            }

            if (line.AsSpan(0, colon).Equals(suffix, StringComparison.OrdinalIgnoreCase)
                && long.TryParse(line.AsSpan(colon + 1).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
                && count > 0)
            {
                return true;
            }
        }

        return false;
    }
}
