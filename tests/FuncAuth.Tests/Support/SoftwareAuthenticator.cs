using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace FuncAuth.Tests.Support;

/// <summary>
/// A passkey authenticator in software (ES256, attestation "none", user present and verified), so tests can build the
/// RegistrationResponseJSON and AuthenticationResponseJSON a browser would send, and spoil one part at a time (origin,
/// RP id, signature, user verification) to see each refused.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private uint signCount;

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);
    public string CredentialIdText => Base64Url(CredentialId);

    /// <summary>The user handle the authenticator stored at registration (returned with every assertion).</summary>
    public byte[]? UserHandle { get; private set; }

    public void Dispose() => key.Dispose();

    /// <summary>Answers navigator.credentials.create() for the creation options (the JSON the server sent).</summary>
    public JsonObject Register(JsonNode options, string origin, string? rpId = null, bool userVerified = true)
    {
        var challenge = options["challenge"]!.GetValue<string>();
        rpId ??= options["rp"]!["id"]!.GetValue<string>();
        UserHandle = FromBase64Url(options["user"]!["id"]!.GetValue<string>());
        var clientData = ClientData("webauthn.create", challenge, origin);
        var authData = AuthenticatorData(rpId, Flags(userVerified) | 0x40, CoseKey());
        var attestation = new CborWriter();
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authData);
        attestation.WriteEndMap();
        return new JsonObject
        {
            ["id"] = CredentialIdText,
            ["rawId"] = CredentialIdText,
            ["type"] = "public-key",
            ["authenticatorAttachment"] = "platform",
            ["clientExtensionResults"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = Base64Url(clientData),
                ["attestationObject"] = Base64Url(attestation.Encode()),
                ["transports"] = new JsonArray("internal"),
            },
        };
    }

    /// <summary>Answers navigator.credentials.get() for the request options (the JSON the server sent).</summary>
    public JsonObject Assert(JsonNode options, string origin, string? rpId = null, bool userVerified = true, bool tamper = false)
    {
        var challenge = options["challenge"]!.GetValue<string>();
        rpId ??= options["rpId"]!.GetValue<string>();
        var clientData = ClientData("webauthn.get", challenge, origin);
        var authData = AuthenticatorData(rpId, Flags(userVerified), null);
        var signature = key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        if (tamper)
        {
            signature[^1] ^= 0x01;
        }

        return new JsonObject
        {
            ["id"] = CredentialIdText,
            ["rawId"] = CredentialIdText,
            ["type"] = "public-key",
            ["authenticatorAttachment"] = "platform",
            ["clientExtensionResults"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = Base64Url(clientData),
                ["authenticatorData"] = Base64Url(authData),
                ["signature"] = Base64Url(signature),
                ["userHandle"] = UserHandle is null ? null : Base64Url(UserHandle),
            },
        };
    }

    // UP (0x01) always; UV (0x04) when the user was verified; BE and BS (0x08, 0x10): a synced passkey.
    private static byte Flags(bool userVerified) => (byte)(0x01 | (userVerified ? 0x04 : 0) | 0x08 | 0x10);

    private static byte[] ClientData(string type, string challenge, string origin) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false }.ToJsonString());

    private byte[] AuthenticatorData(string rpId, int flags, byte[]? coseKey)
    {
        signCount++;
        var data = new List<byte>(SHA256.HashData(Encoding.UTF8.GetBytes(rpId))) { (byte)flags };
        data.AddRange([(byte)(signCount >> 24), (byte)(signCount >> 16), (byte)(signCount >> 8), (byte)signCount]);
        if (coseKey is not null)
        {
            data.AddRange(new byte[16]); // AAGUID: none.
            data.AddRange([(byte)(CredentialId.Length >> 8), (byte)CredentialId.Length]);
            data.AddRange(CredentialId);
            data.AddRange(coseKey);
        }

        return [.. data];
    }

    private byte[] CoseKey()
    {
        var parameters = key.ExportParameters(false);
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1);
        cose.WriteInt32(2); // kty: EC2
        cose.WriteInt32(3);
        cose.WriteInt32(-7); // alg: ES256
        cose.WriteInt32(-1);
        cose.WriteInt32(1); // crv: P-256
        cose.WriteInt32(-2);
        cose.WriteByteString(parameters.Q.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(parameters.Q.Y!);
        cose.WriteEndMap();
        return cose.Encode();
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}
