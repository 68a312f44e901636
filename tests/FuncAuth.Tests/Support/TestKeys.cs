using System.Security.Cryptography;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Tests.Support;

/// <summary>P-256 keys as FuncAuth reads them: PKCS#8 PEM, as openssl and Key Vault hold them.</summary>
public static class TestKeys
{
    public static string NewPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>The key an app signs with given <c>Auth__SigningKey</c> = <paramref name="pem"/>, so a test can mint tokens with it.</summary>
    public static async Task<SigningKey> DevelopmentKeyAsync(string pem) =>
        (await new DevelopmentSigningKey(pem, TimeProvider.System).LoadAsync(CancellationToken.None)).Single();
}
