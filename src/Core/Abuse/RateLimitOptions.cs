using System.ComponentModel.DataAnnotations;

namespace FuncAuth.Core.Abuse;

/// <summary>The limits of README's "Abuse resistance" (configuration section <c>RateLimit</c>): each is <c>RateLimit__&lt;Name&gt;__Limit</c> and <c>__Window</c>.</summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string Section = "RateLimit";

    /// <summary><c>RateLimit__Enabled=false</c> turns every limit off.</summary>
    public bool Enabled { get; set; } = true;

    public RateLimitRule LoginFailuresPerAccountAndAddress { get; set; } = new(10, TimeSpan.FromMinutes(15));

    public RateLimitRule LoginFailuresPerAccount { get; set; } = new(100, TimeSpan.FromHours(1));

    public RateLimitRule TokenRequestsPerAddress { get; set; } = new(300, TimeSpan.FromMinutes(5));

    public RateLimitRule EmailRequestsPerAddress { get; set; } = new(30, TimeSpan.FromMinutes(5));

    public RateLimitRule EmailsPerRecipient { get; set; } = new(5, TimeSpan.FromHours(1));

    /// <summary>Security notices (password changed or reset, API key created, ...) per account; not counted against <see cref="EmailsPerRecipient"/>.</summary>
    public RateLimitRule SecurityEmailsPerAccount { get; set; } = new(20, TimeSpan.FromHours(1));

    public RateLimitRule Rule(RateLimitName name) => name switch
    {
        RateLimitName.LoginFailuresPerAccountAndAddress => LoginFailuresPerAccountAndAddress,
        RateLimitName.LoginFailuresPerAccount => LoginFailuresPerAccount,
        RateLimitName.TokenRequestsPerAddress => TokenRequestsPerAddress,
        RateLimitName.EmailRequestsPerAddress => EmailRequestsPerAddress,
        RateLimitName.EmailsPerRecipient => EmailsPerRecipient,
        RateLimitName.SecurityEmailsPerAccount => SecurityEmailsPerAccount,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var name in Enum.GetValues<RateLimitName>())
        {
            var rule = Rule(name);
            if (rule.Limit < 1)
            {
                yield return new("must be at least 1", [$"{name}:Limit"]);
            }

            if (rule.Window < TimeSpan.FromSeconds(1) || rule.Window > TimeSpan.FromDays(1) || rule.Window.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                yield return new("must be whole seconds between 00:00:01 and 1.00:00:00", [$"{name}:Window"]);
            }
        }

        // The two failure counters of an account share a partition named by the later window end, which must not change
        // within either window: every shorter window then lies in one longer one.
        var (pair, account) = (LoginFailuresPerAccountAndAddress.Window.Ticks, LoginFailuresPerAccount.Window.Ticks);
        if (pair > 0 && account > 0 && Math.Max(pair, account) % Math.Min(pair, account) != 0)
        {
            yield return new(
                "the longer of the two failure windows must be a whole multiple of the shorter",
                [$"{RateLimitName.LoginFailuresPerAccountAndAddress}:Window", $"{RateLimitName.LoginFailuresPerAccount}:Window"]);
        }
    }
}

/// <summary>N requests per window pass; the next one is refused until the window ends.</summary>
public sealed class RateLimitRule
{
    public RateLimitRule()
    {
    }

    public RateLimitRule(int limit, TimeSpan window)
    {
        Limit = limit;
        Window = window;
    }

    public int Limit { get; set; }

    public TimeSpan Window { get; set; }
}

/// <summary>The limits of README's "Abuse resistance". The names are part of the settings and of the stored counters: never renamed.</summary>
public enum RateLimitName
{
    LoginFailuresPerAccountAndAddress,
    LoginFailuresPerAccount,
    TokenRequestsPerAddress,
    EmailRequestsPerAddress,
    EmailsPerRecipient,
    SecurityEmailsPerAccount,
}
