using System.Security.Cryptography;
using System.Text;

namespace FuncAuth.Core.Tokens;

/// <summary>One HS256 key version: its id is the JWT <c>kid</c>.</summary>
public sealed class SigningKey
{
    public const int MinimumBytes = 32;

    private static readonly byte[] RefreshTokenLabel = Encoding.ASCII.GetBytes("funcauth/refresh-token/v1");

    public SigningKey(string id, byte[] material, DateTimeOffset createdAt)
    {
        if (material.Length < MinimumBytes)
        {
            throw new ArgumentException($"A signing key needs at least {MinimumBytes} bytes.", nameof(material));
        }

        Id = id;
        Material = material;
        CreatedAt = createdAt;

        // A separate key for refresh-token MACs, so a refresh token can never pass as a JWT signature or vice versa.
        RefreshTokenKey = HMACSHA256.HashData(material, RefreshTokenLabel);
    }

    public string Id { get; }

    public DateTimeOffset CreatedAt { get; }

    internal byte[] Material { get; }

    internal byte[] RefreshTokenKey { get; }
}

/// <summary>The enabled keys: the newest signs, any of them verifies.</summary>
public sealed class SigningKeySet
{
    private readonly Dictionary<string, SigningKey> _byId;

    public SigningKeySet(IEnumerable<SigningKey> keys)
    {
        _byId = keys.ToDictionary(k => k.Id, StringComparer.Ordinal);
        if (_byId.Count == 0)
        {
            throw new SigningKeyUnavailableException("No enabled signing key version was found.");
        }

        Current = _byId.Values.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id, StringComparer.Ordinal).First();
    }

    public SigningKey Current { get; }

    public IReadOnlyCollection<SigningKey> All => _byId.Values;

    public SigningKey? Find(string? id) => id is not null && _byId.TryGetValue(id, out var key) ? key : null;
}

/// <summary>The signing keys could not be loaded: a dependency failure, answered with 503.</summary>
public sealed class SigningKeyUnavailableException : Exception
{
    public SigningKeyUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    public SigningKeyUnavailableException()
    {
    }

    public SigningKeyUnavailableException(string message) : base(message)
    {
    }
}
