using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FuncAuth.Core.Tokens;

namespace FuncAuth.Core.Passkeys;

/// <summary>
/// WebAuthn challenges that carry their own proof: <c>purpose(1) nonce(16) expires(8) userHandle(16) mac(32) kid</c>,
/// mac = HMAC-SHA256 under a key derived from signing-key version <c>kid</c>, over the rest and what the challenge is
/// bound to (the user and session that asked, for registration and step-up). Asking for options stores nothing, so an
/// unauthenticated caller cannot fill a table by asking; the authenticator signs the challenge, and the server checks
/// the MAC and the expiry before anything else and then spends the nonce once (<see cref="PasskeyStore.TrySpendChallengeAsync"/>).
/// </summary>
internal static class PasskeyChallenges
{
    public const int UserHandleLength = 16;
    private const int NonceLength = 16;
    private const int MacLength = 32;
    private const int HeaderLength = 1 + NonceLength + 8 + UserHandleLength;
    private const int MaxKeyIdLength = 128;
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("funcauth/webauthn-challenge/v1");

    public static byte[] Create(ChallengePurpose purpose, DateTimeOffset expiresAt, byte[]? userHandle, string boundTo, SigningKey key)
    {
        var keyId = Encoding.UTF8.GetBytes(key.Id);
        var challenge = new byte[HeaderLength + MacLength + keyId.Length];
        challenge[0] = (byte)purpose;
        RandomNumberGenerator.Fill(challenge.AsSpan(1, NonceLength));
        BinaryPrimitives.WriteInt64BigEndian(challenge.AsSpan(1 + NonceLength, 8), expiresAt.ToUnixTimeSeconds());
        userHandle?.CopyTo(challenge.AsSpan(1 + NonceLength + 8, UserHandleLength));
        keyId.CopyTo(challenge.AsSpan(HeaderLength + MacLength));
        Mac(challenge, keyId, boundTo, key).CopyTo(challenge.AsSpan(HeaderLength, MacLength));
        return challenge;
    }

    /// <summary>The key version a challenge names, or null when it is too short to be one.</summary>
    public static string? KeyIdOf(byte[] challenge) =>
        challenge.Length is > HeaderLength + MacLength and <= HeaderLength + MacLength + MaxKeyIdLength
            ? Encoding.UTF8.GetString(challenge.AsSpan(HeaderLength + MacLength))
            : null;

    /// <summary>The parts of a genuine, unexpired challenge of the purpose bound to <paramref name="boundTo"/>, or null.</summary>
    public static ChallengeParts? Check(byte[] challenge, ChallengePurpose purpose, string boundTo, SigningKey? key, DateTimeOffset now)
    {
        if (key is null || KeyIdOf(challenge) != key.Id || challenge[0] != (byte)purpose)
        {
            return null;
        }

        var keyId = challenge.AsSpan(HeaderLength + MacLength).ToArray();
        if (!CryptographicOperations.FixedTimeEquals(challenge.AsSpan(HeaderLength, MacLength), Mac(challenge, keyId, boundTo, key)))
        {
            return null;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(challenge.AsSpan(1 + NonceLength, 8)));
        return now >= expiresAt
            ? null
            : new(purpose, Convert.ToHexStringLower(challenge, 1, NonceLength), expiresAt, challenge.AsSpan(1 + NonceLength + 8, UserHandleLength).ToArray());
    }

    private static byte[] Mac(byte[] challenge, byte[] keyId, string boundTo, SigningKey key)
    {
        var bound = Encoding.UTF8.GetBytes(boundTo);
        byte[] message = [.. challenge.AsSpan(0, HeaderLength), .. keyId, (byte)'\n', .. bound];
        return HMACSHA256.HashData(key.DeriveMacKey(Label), message);
    }
}
