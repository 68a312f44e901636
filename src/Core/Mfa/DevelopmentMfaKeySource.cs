using System.Security.Cryptography;
using System.Text;

namespace FuncAuth.Core.Mfa;

/// <summary>
/// The local stand-in for development and tests (no <c>KeyVault__Uri</c>): one key, from <c>Auth__MfaKey</c> (32 bytes in
/// base64) when set, else derived from the development signing key (<c>Auth__SigningKey</c>, which the local run keeps in
/// <c>.azurite/</c>) so secrets survive a restart, else random per process.
/// </summary>
internal sealed class DevelopmentMfaKeySource : IMfaKeySource
{
    private const string Id = "dev";
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("funcauth/mfa-secret-key/v1");
    private readonly MfaKey _key;

    public DevelopmentMfaKeySource(string? configuredKey, string? developmentSigningKey)
    {
        var bytes = !string.IsNullOrEmpty(configuredKey) ? Convert.FromBase64String(configuredKey)
            : !string.IsNullOrEmpty(developmentSigningKey) ? HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(developmentSigningKey), 32, info: Label)
            : RandomNumberGenerator.GetBytes(32);
        if (bytes.Length != 32)
        {
            throw new InvalidOperationException("Auth__MfaKey must be 32 bytes in base64.");
        }

        _key = new MfaKey(Id, bytes);
    }

    public Task<MfaKey> CurrentAsync(CancellationToken cancellationToken) => Task.FromResult(_key);

    public Task<MfaKey?> FindAsync(string id, CancellationToken cancellationToken) => Task.FromResult(id == Id ? _key : null);
}
