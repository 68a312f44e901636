using FuncAuth.Core;
using FuncAuth.Core.OAuth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Authorization;

/// <summary>OAuth__PasswordGrant and the client registrations are settings checked at start.</summary>
public sealed class PasswordGrantSwitchTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task DisabledThePasswordGrantIsUnsupportedAndNotPublished()
    {
        await using var app = await FuncAuthApp.StartAsync(azurite, new Dictionary<string, string?> { ["OAuth__PasswordGrant"] = "disabled" });
        using var client = app.CreateClient();
        var user = await client.SignupAsync();

        using var response = await client.TokenAsync(OAuth.Encoding.Form, ("grant_type", "password"), ("username", user.Email), ("password", Api.Password));

        await OAuth.AssertErrorAsync(response, "unsupported_grant_type");
        var discovery = await (await client.GetAsync("/.well-known/openid-configuration")).ReadJsonAsync();
        var grants = discovery.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.DoesNotContain("password", grants);
        Assert.Contains("authorization_code", grants);
        // The first-party sign-in is not the password grant and goes on.
        await client.LoginAsync(user.Email);
    }

    [Theory]
    [InlineData("https://app.example.com/cb", true)]
    [InlineData("http://127.0.0.1:5173/cb", true)]
    [InlineData("http://localhost:5173/cb", true)]
    [InlineData("com.example.notes:/callback", true)]
    [InlineData("http://app.example.com/cb", false)]
    [InlineData("https://app.example.com/cb#x", false)]
    [InlineData("https://user:pw@app.example.com/cb", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("/relative", false)]
    public void RedirectUrisAreHttpsLoopbackHttpOrAPrivateUseScheme(string uri, bool valid)
    {
        var options = new OAuthOptions { Clients = [new OAuthClient { ClientId = "a", Name = "A", RedirectUris = uri }] };

        Assert.Equal(valid, new FuncAuth.Core.Options.OAuthOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void AClientNeedsAnIdANameAndARedirectUriAndIdsAreUnique()
    {
        static bool Valid(params OAuthClient[] clients) => new FuncAuth.Core.Options.OAuthOptionsValidator().Validate(null, new OAuthOptions { Clients = [.. clients] }).Succeeded;

        Assert.True(Valid(new OAuthClient { ClientId = "a", Name = "A", RedirectUris = "https://a.example/cb" }));
        Assert.False(Valid(new OAuthClient { Name = "A", RedirectUris = "https://a.example/cb" }));
        Assert.False(Valid(new OAuthClient { ClientId = "a b", Name = "A", RedirectUris = "https://a.example/cb" }));
        Assert.False(Valid(new OAuthClient { ClientId = "a", RedirectUris = "https://a.example/cb" }));
        Assert.False(Valid(new OAuthClient { ClientId = "a", Name = "A" }));
        Assert.False(Valid(
            new OAuthClient { ClientId = "a", Name = "A", RedirectUris = "https://a.example/cb" },
            new OAuthClient { ClientId = "a", Name = "B", RedirectUris = "https://b.example/cb" }));
        Assert.False(new FuncAuth.Core.Options.OAuthOptionsValidator().Validate(null, new OAuthOptions { PasswordGrant = "off" }).Succeeded);
    }

    [Fact]
    public void AnInvalidClientStopsTheStart()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OAuth:Clients:0:ClientId"] = "a",
            ["OAuth:Clients:0:Name"] = "A",
            ["OAuth:Clients:0:RedirectUris"] = "http://a.example/cb",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        using var services = collection.AddFuncAuthCore(configuration, isDevelopment: true).BuildServiceProvider();
        var validator = services.GetRequiredService<IStartupValidator>();

        var error = Assert.ThrowsAny<Exception>(validator.Validate);

        Assert.Contains("http://a.example/cb is not an acceptable redirect URI", error.ToString(), StringComparison.Ordinal);
    }
}
