namespace FuncAuth.Infra.Tests;

[Collection(SharedCompiledTemplate.Name)]
public sealed class KeyVaultTests(CompiledTemplate template)
{
    // One module, deployed twice (the signing key's vault and the host keys' vault): what holds for one holds for both.
    private ArmResource Vault => template.Main.Module("keyVault").Resources.Single(r => r.Type == "Microsoft.KeyVault/vaults");

    [Fact]
    public void TheSigningKeyAndTheHostKeysLiveInTwoVaultsOfTheSameModule()
    {
        var modules = template.Main.Modules.Where(m => m.Resources.Any(r => r.Type == "Microsoft.KeyVault/vaults" && !r.IsExisting)).ToList();

        Assert.Equal(["hostKeysVault", "keyVault"], modules.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal("[variables('keyVaultName')]", template.Main.Module("keyVault").Argument("name").GetString());
        Assert.Equal("[variables('hostKeysVaultName')]", template.Main.Module("hostKeysVault").Argument("name").GetString());
        Assert.Equal(modules[0].Template.GetRawText(), modules[1].Template.GetRawText());
    }

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
