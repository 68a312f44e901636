using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using B64 = System.Buffers.Text.Base64Url;

namespace FuncAuth.Tests.Support;

/// <summary>Re-signs a genuine JWT with its header or payload edited, the way an attacker would build a forgery.</summary>
public static class JwtForge
{
    public static string SignEs256(string jwt, ECDsa key, Action<JsonObject>? header = null, Action<JsonObject>? payload = null)
    {
        var input = SigningInput(jwt, header, payload);
        return input + "." + B64.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    /// <summary>An HMAC-signed variant (<c>HS256</c>, <c>HS384</c>, <c>HS512</c>) keyed with <paramref name="secret"/>.</summary>
    public static string SignHmac(string jwt, string algorithm, byte[] secret, Action<JsonObject>? payload = null)
    {
        var input = SigningInput(jwt, h => h["alg"] = algorithm, payload);
        var data = Encoding.ASCII.GetBytes(input);
        var signature = algorithm switch
        {
            "HS256" => HMACSHA256.HashData(secret, data),
            "HS384" => HMACSHA384.HashData(secret, data),
            "HS512" => HMACSHA512.HashData(secret, data),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return input + "." + B64.EncodeToString(signature);
    }

    /// <summary><c>alg: none</c>, with an empty signature or with the original one kept.</summary>
    public static string AlgNone(string jwt, bool keepSignature = false) =>
        SigningInput(jwt, h => h["alg"] = "none", null) + "." + (keepSignature ? jwt.Split('.')[2] : "");

    public static JsonObject Header(string jwt) => Decode(jwt.Split('.')[0]);

    private static string SigningInput(string jwt, Action<JsonObject>? header, Action<JsonObject>? payload)
    {
        var parts = jwt.Split('.');
        var h = Decode(parts[0]);
        var p = Decode(parts[1]);
        header?.Invoke(h);
        payload?.Invoke(p);
        return Encode(h) + "." + Encode(p);
    }

    private static JsonObject Decode(string segment) => JsonNode.Parse(B64.DecodeFromChars(segment))!.AsObject();

    private static string Encode(JsonObject json) => B64.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
