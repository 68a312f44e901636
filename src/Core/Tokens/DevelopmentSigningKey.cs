using System.Security.Cryptography;

namespace FuncAuth.Core.Tokens;

/// <summary>The single key of local development: <c>Auth__SigningKey</c> (a PKCS#8 PEM), or one generated per process.</summary>
public sealed class DevelopmentSigningKey : ISigningKeySource
{
    private readonly SigningKey _key;

    public DevelopmentSigningKey(string? pem, TimeProvider time)
    {
        var key = pem is { Length: > 0 }
            ? SigningKey.TryReadPkcs8Pem(pem) ?? throw new ArgumentException("The development signing key must be a PKCS#8 PEM of a P-256 private key.", nameof(pem))
            : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Named after the public key, so the same PEM gives the same kid across restarts.
        var id = "dev-" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..12];
        // The only version there is signs at once (its age does not count).
        _key = new SigningKey(id, key, DateTimeOffset.MinValue);
        _ = time;
    }

    public Task<IReadOnlyList<SigningKey>> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SigningKey>>([_key]);
}
