using FuncAuth.Core.Abuse;
using FuncAuth.Core.Options;

namespace FuncAuth.Tests.Abuse;

/// <summary>
/// The two failure counters of an account share a partition named by the later window end, so the longer failure window
/// must be a whole multiple of the shorter (every shorter window then lies in one longer one); the app refuses to start
/// otherwise.
/// </summary>
public sealed class FailureWindowOptionsTests
{
    [Theory]
    [InlineData("00:15:00", "01:00:00", true)]
    [InlineData("01:00:00", "00:15:00", true)]
    [InlineData("00:30:00", "00:30:00", true)]
    [InlineData("00:45:00", "01:00:00", false)]
    [InlineData("00:07:00", "01:00:00", false)]
    public void TheLongerFailureWindowIsAWholeMultipleOfTheShorter(string pairWindow, string accountWindow, bool valid)
    {
        var options = new RateLimitOptions
        {
            LoginFailuresPerAccountAndAddress = new(10, TimeSpan.Parse(pairWindow, System.Globalization.CultureInfo.InvariantCulture)),
            LoginFailuresPerAccount = new(100, TimeSpan.Parse(accountWindow, System.Globalization.CultureInfo.InvariantCulture)),
        };

        Assert.Equal(valid, new RateLimitOptionsValidator().Validate(null, options).Succeeded);
    }
}
