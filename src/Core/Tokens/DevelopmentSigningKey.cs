using System.Security.Cryptography;

namespace FuncAuth.Core.Tokens;

/// <summary>The single key of local development: <c>Auth__SigningKey</c>, or one generated per process.</summary>
public sealed class DevelopmentSigningKey : ISigningKeySource
{
    private readonly SigningKey _key;

    public DevelopmentSigningKey(string? base64Key, TimeProvider time)
    {
        var material = base64Key is { Length: > 0 }
            ? TryDecode(base64Key) ?? throw new ArgumentException("The development signing key must be base64 of at least 32 bytes.", nameof(base64Key))
            : RandomNumberGenerator.GetBytes(SigningKey.MinimumBytes);
        var id = "dev-" + Convert.ToHexStringLower(SHA256.HashData(material))[..12];
        _key = new SigningKey(id, material, time.GetUtcNow());
    }

    public Task<IReadOnlyList<SigningKey>> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SigningKey>>([_key]);

    /// <summary>Base64 of at least 32 bytes, or null.</summary>
    public static byte[]? TryDecode(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        try
        {
            var bytes = Convert.FromBase64String(base64.Trim());
            return bytes.Length >= SigningKey.MinimumBytes ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
