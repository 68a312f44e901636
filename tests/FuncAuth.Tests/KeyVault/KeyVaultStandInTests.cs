using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.KeyVault;

/// <summary>
/// Drives the real <see cref="SecretClient"/> against <see cref="KeyVaultStandIn"/>, so tests built on the
/// stand-in can trust that it speaks the wire protocol the SDK expects.
/// </summary>
public sealed class KeyVaultStandInTests : IAsyncLifetime
{
    private KeyVaultStandIn _vault = null!;
    private SecretClient _client = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultStandIn.StartAsync();
        _client = new SecretClient(_vault.VaultUri, _vault.Credential, _vault.CreateClientOptions());
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task ListingVersionsReturnsEachVersionWithItsEnabledFlagAndCreationOrder()
    {
        var first = _vault.AddSecretVersion("signing-key", "one");
        var second = _vault.AddSecretVersion("signing-key", "two", enabled: false);
        var third = _vault.AddSecretVersion("signing-key", "three");

        var listed = new List<SecretProperties>();
        await foreach (var properties in _client.GetPropertiesOfSecretVersionsAsync("signing-key"))
        {
            listed.Add(properties);
        }

        var byAge = listed.OrderBy(p => p.CreatedOn).ToList();
        Assert.Equal([first, second, third], byAge.Select(p => p.Version));
        Assert.Equal([true, false, true], byAge.Select(p => p.Enabled));
        Assert.All(byAge, p => Assert.Equal("signing-key", p.Name));
        Assert.True(byAge[0].CreatedOn < byAge[1].CreatedOn && byAge[1].CreatedOn < byAge[2].CreatedOn);
    }

    [Fact]
    public async Task ListingFollowsNextLinksPastOnePage()
    {
        var added = Enumerable.Range(0, 30).Select(i => _vault.AddSecretVersion("many", $"v{i}")).ToHashSet();

        var listed = new List<string>();
        await foreach (var properties in _client.GetPropertiesOfSecretVersionsAsync("many"))
        {
            listed.Add(properties.Version);
        }

        Assert.Equal(30, listed.Count);
        Assert.True(added.SetEquals(listed));
    }

    [Fact]
    public async Task ListingVersionsOfAnUnknownSecretIsEmpty()
    {
        await foreach (var _ in _client.GetPropertiesOfSecretVersionsAsync("nobody"))
        {
            Assert.Fail("An unknown secret has no versions.");
        }
    }

    [Fact]
    public async Task GettingAVersionReturnsItsValue()
    {
        var older = _vault.AddSecretVersion("signing-key", "old value");
        _vault.AddSecretVersion("signing-key", "new value");

        KeyVaultSecret secret = await _client.GetSecretAsync("signing-key", older);

        Assert.Equal("old value", secret.Value);
        Assert.Equal(older, secret.Properties.Version);
        Assert.True(secret.Properties.Enabled);
    }

    [Fact]
    public async Task GettingWithoutAVersionReturnsTheNewest()
    {
        _vault.AddSecretVersion("signing-key", "old value");
        var newest = _vault.AddSecretVersion("signing-key", "new value");

        KeyVaultSecret secret = await _client.GetSecretAsync("signing-key");

        Assert.Equal("new value", secret.Value);
        Assert.Equal(newest, secret.Properties.Version);
    }

    [Fact]
    public async Task DisabledVersionIsRefused()
    {
        var version = _vault.AddSecretVersion("signing-key", "value");
        _vault.SetEnabled("signing-key", version, enabled: false);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("signing-key", version));

        Assert.Equal(403, refused.Status);
        Assert.Equal("Forbidden", refused.ErrorCode);
    }

    [Fact]
    public async Task GettingWithoutAVersionIsRefusedWhenTheNewestIsDisabled()
    {
        _vault.AddSecretVersion("signing-key", "old value");
        _vault.AddSecretVersion("signing-key", "new value", enabled: false);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("signing-key"));

        Assert.Equal(403, refused.Status);
    }

    [Fact]
    public async Task ReenabledVersionIsServedAgain()
    {
        var version = _vault.AddSecretVersion("signing-key", "value", enabled: false);
        _vault.SetEnabled("signing-key", version, enabled: true);

        KeyVaultSecret secret = await _client.GetSecretAsync("signing-key", version);

        Assert.Equal("value", secret.Value);
    }

    [Fact]
    public async Task UnknownSecretIsNotFound()
    {
        _vault.AddSecretVersion("signing-key", "value");

        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("other-key"));
        var missingVersion = await Assert.ThrowsAsync<RequestFailedException>(
            () => _client.GetSecretAsync("signing-key", new string('0', 32)));

        Assert.Equal((404, "SecretNotFound"), (missing.Status, missing.ErrorCode));
        Assert.Equal((404, "SecretNotFound"), (missingVersion.Status, missingVersion.ErrorCode));
    }

    [Fact]
    public async Task RequestWithAWrongTokenIsRefused()
    {
        var version = _vault.AddSecretVersion("signing-key", "value");
        var client = new SecretClient(_vault.VaultUri, new WrongTokenCredential(), _vault.CreateClientOptions());

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("signing-key", version));

        Assert.Equal(401, refused.Status);
    }

    [Fact]
    public async Task UnavailableVaultAnswers503()
    {
        var version = _vault.AddSecretVersion("signing-key", "value");
        _vault.Unavailable = true;

        var failed = await Assert.ThrowsAsync<RequestFailedException>(() => _client.GetSecretAsync("signing-key", version));

        Assert.Equal(503, failed.Status);
        Assert.Equal(1, _vault.RequestCount);
    }

    [Fact]
    public async Task RequestCountGrowsByOnePerCallOnceTheChallengeIsAnswered()
    {
        var version = _vault.AddSecretVersion("signing-key", "value");
        await _client.GetSecretAsync("signing-key", version);
        var afterFirst = _vault.RequestCount;

        await _client.GetSecretAsync("signing-key", version);

        Assert.Equal(afterFirst + 1, _vault.RequestCount);
    }

    private sealed class WrongTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("not-the-vault-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
