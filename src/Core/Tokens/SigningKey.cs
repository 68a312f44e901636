using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace FuncAuth.Core.Tokens;

/// <summary>
/// One ES256 key version (a P-256 private key): its id is the JWT <c>kid</c>. Only its public half ever leaves the
/// process (the JWKS); every secret FuncAuth needs for its own tokens is derived from the private scalar.
/// </summary>
public sealed class SigningKey
{
    /// <summary>OID of the NIST P-256 curve (secp256r1), the only curve ES256 allows.</summary>
    private const string P256Oid = "1.2.840.10045.3.1.7";

    private static readonly byte[] RefreshTokenLabel = Encoding.ASCII.GetBytes("funcauth/refresh-token/v1");

    private readonly byte[] _privateScalar;

    /// <summary>Takes ownership of <paramref name="privateKey"/>, which must be a P-256 key with its private part.</summary>
    public SigningKey(string id, ECDsa privateKey, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ECParameters parameters;
        try
        {
            parameters = privateKey.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException("A signing key needs its private part.", nameof(privateKey), e);
        }

        if (parameters.Curve.Oid?.Value != P256Oid || parameters.D is not { Length: 32 })
        {
            throw new ArgumentException("A signing key must be an ECDSA P-256 private key.", nameof(privateKey));
        }

        Id = id;
        CreatedAt = createdAt;
        _privateScalar = parameters.D;
        SecurityKey = new ECDsaSecurityKey(privateKey) { KeyId = id };

        // The public half on its own, for validation and for the JWKS: nothing built from it can sign.
        var publicKey = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = parameters.Q });
        PublicSecurityKey = new ECDsaSecurityKey(publicKey) { KeyId = id };
        PublicX = parameters.Q.X!;
        PublicY = parameters.Q.Y!;

        // HKDF over the private scalar: a relying party holds only Q, from which d (and so this key) cannot be computed.
        RefreshTokenKey = DeriveMacKey(RefreshTokenLabel);
    }

    public string Id { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The JWK <c>x</c> coordinate (32 bytes).</summary>
    public ReadOnlyMemory<byte> PublicX { get; }

    /// <summary>The JWK <c>y</c> coordinate (32 bytes).</summary>
    public ReadOnlyMemory<byte> PublicY { get; }

    internal ECDsaSecurityKey SecurityKey { get; }

    internal ECDsaSecurityKey PublicSecurityKey { get; }

    internal byte[] RefreshTokenKey { get; }

    /// <summary>
    /// A 256-bit MAC key for one purpose (refresh tokens, and any other token FuncAuth mints for itself), derived from
    /// the private scalar with HKDF-SHA256 and a label per purpose, so keys of different purposes are unrelated.
    /// </summary>
    internal byte[] DeriveMacKey(ReadOnlySpan<byte> purpose)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _privateScalar, key, salt: [], info: purpose);
        return key;
    }

    /// <summary>A P-256 key from a PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>), or null for anything else.</summary>
    public static ECDsa? TryReadPkcs8Pem(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem) || !PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] is not "PRIVATE KEY")
        {
            return null;
        }

        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(pem[fields.Base64Data], der, out var written) || written != der.Length)
        {
            return null;
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(der, out var read);
            if (read == der.Length && key.ExportParameters(false).Curve.Oid?.Value == P256Oid)
            {
                return key;
            }
        }
        catch (CryptographicException)
        {
            // Not an EC key, or not PKCS#8.
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }

        key.Dispose();
        return null;
    }
}
