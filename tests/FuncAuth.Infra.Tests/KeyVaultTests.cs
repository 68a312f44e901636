namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed class KeyVaultTests(CompiledTemplate template)
{
    private ArmResource Vault => template.Main.Single("Microsoft.KeyVault/vaults");

    [Fact]
    public void KeyVaultAuthorizesThroughAzureRbac()
    {
        Assert.True(Vault.Get("properties.enableRbacAuthorization").GetBoolean());
        Assert.False(Vault.Properties.TryGetProperty("accessPolicies", out _));
    }

    [Fact]
    public void KeyVaultKeepsDeletedSecretsForNinetyDays()
    {
        Assert.True(Vault.Get("properties.enableSoftDelete").GetBoolean());
        Assert.Equal(90, Vault.Get("properties.softDeleteRetentionInDays").GetInt32());
    }

    [Fact]
    public void KeyVaultForbidsPurgingDeletedSecrets() =>
        Assert.True(Vault.Get("properties.enablePurgeProtection").GetBoolean());

    [Fact]
    public void TemplateNeverCreatesTheSigningKeyItself() =>
        Assert.Empty(template.Main.Deployed("Microsoft.KeyVault/vaults/secrets"));
}
