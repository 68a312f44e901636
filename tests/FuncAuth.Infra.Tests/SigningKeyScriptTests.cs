using System.Security.Cryptography;

namespace FuncAuth.Infra.Tests;

/// <summary>
/// Runs the key scripts for real (bash and openssl) against a stand-in <c>az</c> on the PATH that records its
/// arguments and what it read on stdin: the key sent to Key Vault must be a PKCS#8 P-256 private key, and it must
/// never appear among any command's arguments.
/// </summary>
public sealed class SigningKeyScriptTests : IDisposable
{
    private const string StandInAzScript = """
        #!/usr/bin/env bash
        printf '%s\n' "$*" >> "$AZ_LOG/args"
        case "$1 $2 $3" in
          "account show"*) exit 0 ;;
          "keyvault secret list") exit 0 ;;
          "keyvault secret set")
            n=$(ls "$AZ_LOG" | grep -c '^secret-' || true)
            cat > "$AZ_LOG/secret-$n"
            echo "https://kv.example/secrets/jwt-signing-key/new$n" ;;
          "keyvault secret list-versions")
            printf '%s\n' https://kv.example/secrets/jwt-signing-key/old1 https://kv.example/secrets/jwt-signing-key/new0 ;;
          "keyvault secret set-attributes") exit 0 ;;
          "keyvault show --name") echo "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/$4" ;;
          "role assignment list") echo "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/officer" ;;
          "role assignment delete") exit 0 ;;
          *) echo "unexpected az $*" >&2; exit 9 ;;
        esac
        """;

    private readonly StandInAz _az = new(StandInAzScript);

    private string Folder => _az.Folder;

    public void Dispose() => _az.Dispose();

    [Fact]
    public void CreateSendsAPkcs8P256KeyOnStdinOnly()
    {
        var (exit, output) = Run("create-signing-key.sh");

        Assert.True(exit == 0, output);
        var pem = File.ReadAllText(Path.Combine(Folder, "secret-0"));
        AssertP256Pkcs8(pem);
        AssertKeyNeverInArguments(pem);
        Assert.Contains("--file /dev/stdin", File.ReadAllText(Path.Combine(Folder, "args")), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateAlsoMakesTheTotpSecretsKeyOnStdinOnly()
    {
        var (exit, output) = Run("create-signing-key.sh");

        Assert.True(exit == 0, output);
        // The second secret: 32 random bytes in base64, as the app's MFA key source reads it.
        var value = File.ReadAllText(Path.Combine(Folder, "secret-1")).Trim();
        Assert.Equal(32, Convert.FromBase64String(value).Length);
        var args = File.ReadAllLines(Path.Combine(Folder, "args"));
        Assert.Contains(args, a => a.StartsWith("keyvault secret set --vault-name kv-test --name mfa-encryption-key --file /dev/stdin", StringComparison.Ordinal));
        Assert.DoesNotContain(args, a => a.Contains(value, StringComparison.Ordinal));
    }

    [Fact]
    public void CreateRemovesTheDeployersSecretsOfficerRoleOnceTheKeyExists()
    {
        var (exit, output) = Run("create-signing-key.sh", [], new() { ["AZURE_SIGNING_KEY_OFFICER_ID"] = "11111111-2222-3333-4444-555555555555" });

        Assert.True(exit == 0, output);
        var args = File.ReadAllLines(Path.Combine(Folder, "args"));
        var create = Array.FindIndex(args, a => a.StartsWith("keyvault secret set ", StringComparison.Ordinal));
        var list = Array.FindIndex(args, a => a.StartsWith("role assignment list ", StringComparison.Ordinal));
        Assert.True(create >= 0 && list > create, string.Join('\n', args));
        Assert.Equal(
            "role assignment list --scope /subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test --role b86a8fe4-44ce-4948-aee5-eccb2c155cd7 --query [?principalId=='11111111-2222-3333-4444-555555555555'].id --output tsv",
            args[list]);
        Assert.Equal("role assignment delete --ids /subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/officer --output none", args[^1]);
    }

    [Fact]
    public void CreateLeavesEveryRoleAloneWhenNobodyWasMadeOfficerForIt()
    {
        // The signing-key workflow runs the same script: its identity keeps its role for later rotations.
        var (exit, output) = Run("create-signing-key.sh");

        Assert.True(exit == 0, output);
        Assert.DoesNotContain("role assignment", File.ReadAllText(Path.Combine(Folder, "args")), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateWithPrivateNetworkingCallsNoVaultFromOutsideButStillRemovesTheRole()
    {
        var (exit, output) = Run("create-signing-key.sh", [], new() { ["AZURE_SIGNING_KEY_OFFICER_ID"] = "11111111-2222-3333-4444-555555555555", ["AZURE_PRIVATE_NETWORKING"] = "true" });

        Assert.True(exit == 0, output);
        var args = File.ReadAllText(Path.Combine(Folder, "args"));
        Assert.DoesNotContain("keyvault secret", args, StringComparison.Ordinal);
        Assert.Contains("role assignment delete --ids", args, StringComparison.Ordinal);
        Assert.Contains("reachable only from its virtual network", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RotateAddsANewKeyAndLeavesOlderVersionsEnabled()
    {
        var (exit, output) = Run("rotate-signing-key.sh");

        Assert.True(exit == 0, output);
        AssertP256Pkcs8(File.ReadAllText(Path.Combine(Folder, "secret-0")));
        Assert.Contains("rotate: added https://kv.example/secrets/jwt-signing-key/new0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("set-attributes", File.ReadAllText(Path.Combine(Folder, "args")), StringComparison.Ordinal);
    }

    [Fact]
    public void RotateWithDisableOlderDisablesEveryOtherVersion()
    {
        var (exit, output) = Run("rotate-signing-key.sh", "--disable-older");

        Assert.True(exit == 0, output);
        var disabled = File.ReadAllLines(Path.Combine(Folder, "args")).Where(a => a.Contains("set-attributes", StringComparison.Ordinal)).ToList();
        Assert.Equal(["keyvault secret set-attributes --id https://kv.example/secrets/jwt-signing-key/old1 --enabled false --output none"], disabled);
    }

    [Fact]
    public void EachRunMakesADifferentKey()
    {
        Assert.Equal(0, Run("rotate-signing-key.sh").Exit);
        Assert.Equal(0, Run("rotate-signing-key.sh").Exit);

        Assert.NotEqual(File.ReadAllText(Path.Combine(Folder, "secret-0")), File.ReadAllText(Path.Combine(Folder, "secret-1")));
    }

    private static void AssertP256Pkcs8(string pem)
    {
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        Assert.Equal("1.2.840.10045.3.1.7", parameters.Curve.Oid.Value);
        Assert.Equal(32, parameters.D!.Length);
    }

    private void AssertKeyNeverInArguments(string pem)
    {
        var body = pem.Split('\n')[1];
        var args = File.ReadAllText(Path.Combine(Folder, "args"));
        Assert.DoesNotContain("PRIVATE KEY", args, StringComparison.Ordinal);
        Assert.DoesNotContain(body, args, StringComparison.Ordinal);
    }

    private (int Exit, string Output) Run(string script, params string[] arguments) => Run(script, arguments, []);

    private (int Exit, string Output) Run(string script, string[] arguments, Dictionary<string, string?> environment)
    {
        // The key script's own inputs: a vault name always, and none of the hook's outputs unless a test sets them.
        var values = new Dictionary<string, string?> { ["AZURE_KEY_VAULT_NAME"] = "kv-test", ["AZURE_SIGNING_KEY_OFFICER_ID"] = null, ["AZURE_PRIVATE_NETWORKING"] = null };
        foreach (var (name, value) in environment)
        {
            values[name] = value;
        }

        return _az.Run(script, arguments, values);
    }
}
