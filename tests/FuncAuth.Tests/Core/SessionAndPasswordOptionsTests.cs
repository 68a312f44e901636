using FuncAuth.Core.Options;

namespace FuncAuth.Tests.Core;

/// <summary>The v3 settings are checked at start, like every other.</summary>
public sealed class SessionAndPasswordOptionsTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(100, true)]
    [InlineData(1000, true)]
    [InlineData(1001, false)]
    public void MaxSessionsPerUserIsBetweenOneAndAThousand(int cap, bool valid)
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { MaxSessionsPerUser = cap });

        Assert.Equal(valid, result.Succeeded);
    }

    [Theory]
    [InlineData("https://api.pwnedpasswords.com", true)]
    [InlineData("https://range.example.com/pwned/", true)]
    [InlineData("http://127.0.0.1:5089", true)]
    [InlineData("http://api.pwnedpasswords.com", false)]
    [InlineData("https://user:secret@api.pwnedpasswords.com", false)]
    [InlineData("https://api.pwnedpasswords.com?x=1", false)]
    [InlineData("api.pwnedpasswords.com", false)]
    [InlineData("", false)]
    public void TheBreachApiIsHttpsOrALoopbackStandIn(string url, bool valid)
    {
        var result = new PasswordOptionsValidator().Validate(null, new PasswordOptions { BreachApiBaseUrl = url });

        Assert.Equal(valid, result.Succeeded);
    }

    [Fact]
    public void TheDefaultsAreTheContracts()
    {
        Assert.Equal(100, new AuthOptions().MaxSessionsPerUser);
        Assert.True(new PasswordOptions().BreachCheck);
        Assert.Equal(new Uri("https://api.pwnedpasswords.com/"), new PasswordOptions().BreachApiBase);
    }
}
